import type { SubscribeMessage } from './subscribe-grant.model';

/**
 * The mini-program platform's subscribe-message service (订阅消息), as the shop uses it: send one message on a
 * one-time grant, and list the account's templates (for `admin doctor`). The adapter is
 * subscribe-message-http.ts; errors are PlatformError (shipping/mini-program-platform.ts) with WeChat's errcode.
 */
export interface SubscribeMessagePlatform {
  /** cgi-bin/message/subscribe/send; resolves on errcode 0. */
  send(input: { touser: string; templateId: string; message: SubscribeMessage; miniprogramState: MiniprogramState }): Promise<void>;
  /** wxaapi/newtmpl/gettemplate: the templates added to the account (个人模板). */
  templates(): Promise<AccountTemplate[]>;
}

/** Which version of the mini-program a tap on the message opens: 跳转小程序类型 developer / trial / formal. */
export const MINIPROGRAM_STATES = ['developer', 'trial', 'formal'] as const;
export type MiniprogramState = (typeof MINIPROGRAM_STATES)[number];

export interface AccountTemplate {
  templateId: string;
  title: string;
  /** e.g. "商品名称:{{thing1.DATA}}\n开售时间:{{time2.DATA}}\n". */
  content: string;
  /** 2 one-time (一次性订阅), 3 long-term (长期订阅). */
  type: number;
}

/**
 * What an errcode of send means for the grant. refused: 43101 (the shopper refuses: unsubscribed, or the grant is
 * already used up) — never retried. templateGone: 40037 (template id wrong or deleted) — every grant of it is void.
 * rejected: the request itself is wrong (40003 touser, 47003 data, 41030 page) — retrying the same request cannot
 * help. Anything else (-1 busy, 45009/45011 quota, no answer) may succeed later.
 */
export function sendOutcome(errcode: number | null): 'refused' | 'templateGone' | 'rejected' | 'retry' {
  if (errcode === 43101) return 'refused';
  if (errcode === 40037) return 'templateGone';
  if (errcode === 40003 || errcode === 47003 || errcode === 41030) return 'rejected';
  return 'retry';
}
