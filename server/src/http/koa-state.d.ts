import type { Logger } from '../logger';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
    rawBody?: Buffer;
    userId?: string;
    openid?: string;
  }
  interface Request {
    body?: unknown;
  }
}
