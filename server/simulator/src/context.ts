import type pino from 'pino';
import type { Context } from 'koa';
import type { Faults } from './faults';
import type { KeyRing } from './keys';
import type { Notifier } from './notifier';
import type { RefundCompletion } from './refund-completion';
import type { Store } from './store';

/** Everything route handlers share within one running simulator. */
export interface SimContext {
  store: Store;
  keys: KeyRing;
  faults: Faults;
  notifier: Notifier;
  refunds: RefundCompletion;
  /** 1 = real time; smaller values shrink retry delays, refund settling and the minimum order lifetime. */
  timeScale: number;
  logger: pino.Logger;
  /** Set by routes/mini-program.ts: the errcode an api.weixin.qq.com request's access_token earns, or null when it may call. */
  accessTokenProblem?: (ctx: Context) => readonly [number, string] | null;
  /** Releases API answers held back by the apiTimeout fault, so stop() is not blocked by them. */
  heldAnswers: Set<() => void>;
}
