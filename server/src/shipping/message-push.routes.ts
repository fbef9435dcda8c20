import Router from '@koa/router';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { MINIPROGRAM_PUSH_PATH } from '../payments/callback-paths';

/**
 * The mini-program's message push URL (消息推送配置): GET is WeChat's URL verification, POST a pushed message.
 * Without MINIPROGRAM_PUSH_TOKEN there is no endpoint (404), as nothing could tell WeChat's pushes from others.
 */
export function messagePushRoutes(container: Container): Router {
  const router = new Router();
  const push = () => {
    if (!container.push) throw new NotFound('message push');
    return container.push;
  };

  router.get(MINIPROGRAM_PUSH_PATH, (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = push().verifyUrl(ctx.query);
  });

  router.post(MINIPROGRAM_PUSH_PATH, async (ctx) => {
    const raw = (ctx.state.rawBody as Buffer | undefined)?.toString('utf8') ?? '';
    const message = push().open(ctx.query, raw);
    await container.pushEvents.apply(message);
    // "success" (or an empty body) tells WeChat the push was taken; anything else makes it retry.
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return router;
}
