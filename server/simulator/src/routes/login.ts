/** Mini-program login: GET /sns/jscode2session (api.weixin.qq.com, no merchant signature). */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { SimContext } from '../context';

/**
 * Codes map to the same user every time (unlike WeChat's single-use codes), so a dev code such as
 * "dev-alice" always logs in the same openid.
 */
export function openidForCode(appid: string, code: string): string {
  return `o${createHash('sha256').update(appid + code).digest('base64url')}`.slice(0, 28);
}

export function loginRoutes(sim: SimContext): Router {
  const router = new Router();
  const { appid, appSecret } = sim.keys.credentials;

  router.get('/sns/jscode2session', (ctx) => {
    const query = ctx.query;
    const code = typeof query.js_code === 'string' ? query.js_code : '';
    if (query.appid !== appid) {
      ctx.body = { errcode: 40013, errmsg: 'invalid appid' };
    } else if (query.secret !== appSecret) {
      ctx.body = { errcode: 40125, errmsg: 'invalid appsecret' };
    } else if (query.grant_type !== 'authorization_code') {
      ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' };
    } else if (code === '' || code === 'invalid') {
      ctx.body = { errcode: 40029, errmsg: 'invalid code' };
    } else {
      const sessionKey = createHash('sha256').update(`session:${appSecret}:${code}`).digest().subarray(0, 16);
      ctx.body = { openid: openidForCode(appid, code), session_key: sessionKey.toString('base64') };
    }
  });

  return router;
}
