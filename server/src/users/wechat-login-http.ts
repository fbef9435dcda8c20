import { z } from 'zod';
import { InvalidLoginCodeError, type WechatLogin } from './wechat-login';

export interface WechatLoginOptions {
  /** https://api.weixin.qq.com in production, the simulator's origin otherwise. */
  baseUrl: string;
  appid: string;
  appSecret: string;
  timeoutMs: number;
}

// These errcodes are about our configuration or WeChat's health, not the user's code (-1 busy, 40013 bad appid,
// 40125 bad secret, 45011 rate limited): answering "invalid code" would hide an outage or a wrong secret.
const SERVER_SIDE_ERRCODES = new Set([-1, 40013, 40125, 45011]);

const answerSchema = z.union([
  z.object({ errcode: z.number().int().refine((code) => code !== 0), errmsg: z.string().optional() }),
  z.object({ openid: z.string().min(1), unionid: z.string().optional() }),
]);

/** code2session over HTTP. The session_key WeChat returns is dropped here: it never leaves this function. */
export function createWechatLogin(options: WechatLoginOptions): WechatLogin {
  return {
    async code2session(code) {
      const url = new URL('/sns/jscode2session', options.baseUrl);
      url.search = new URLSearchParams({
        appid: options.appid,
        secret: options.appSecret,
        js_code: code,
        grant_type: 'authorization_code',
      }).toString();

      const signal = AbortSignal.timeout(options.timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, { signal });
        status = response.status;
        text = await response.text();
      } catch (error) {
        const timedOut = signal.aborted;
        throw new Error(timedOut ? `code2session: no answer within ${options.timeoutMs}ms` : `code2session failed: ${String((error as { message?: unknown }).message ?? error)}`, {
          cause: error,
        });
      }
      if (status !== 200) throw new Error(`code2session answered HTTP ${status}`);

      let answer: z.infer<typeof answerSchema>;
      try {
        // WeChat answers with Content-Type text/plain, so the body is parsed whatever the header says.
        answer = answerSchema.parse(JSON.parse(text));
      } catch {
        throw new Error(`code2session answered something unexpected: ${text.slice(0, 200)}`);
      }
      if ('errcode' in answer) {
        const message = `code2session errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim();
        if (SERVER_SIDE_ERRCODES.has(answer.errcode)) throw new Error(message);
        throw new InvalidLoginCodeError(answer.errcode, message);
      }
      return { openid: answer.openid, unionid: answer.unionid ?? null };
    },
  };
}
