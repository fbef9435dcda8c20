/** Status 0 means the request never got an answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const NETWORK_ERROR = 'NETWORK_ERROR';
/** The server answered, but not in the shape the shared schema describes. */
export const CONTRACT_MISMATCH = 'CONTRACT_MISMATCH';

function isErrorBody(body: unknown): body is { code: string; message: string } {
  if (typeof body !== 'object' || body === null) return false;
  const { code, message } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string';
}

/** Maps a non-2xx answer to an ApiError, keeping the server's `{code, message}` when it sent one. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body.code, body.message);
  return new ApiError(status, `HTTP_${status}`, `服务器错误 (HTTP ${status})`);
}

/** The shop's rules a shopper can run into, said in their words (the server's message is for developers). */
const RULE_MESSAGES: Record<string, string> = {
  AGE_NOT_DECLARED: '购买前请先在“年龄声明”中声明年龄段（盒子详情 → 规则）',
  AGE_RESTRICTED: '根据规定，未满 8 周岁不能购买盲盒',
  GUARDIAN_CONSENT_REQUIRED: '8–17 周岁购买需先确认监护人同意（盒子详情 → 规则 → 年龄声明）',
  DAILY_SPEND_LIMIT_REACHED: '已达到今日消费上限，请明天再来',
  DAILY_DRAW_LIMIT_REACHED: '今日该盲盒的抽取次数已达上限，请明天再来',
  ORDER_IN_OPEN_PAYMENT: '有订单已在另一笔合并支付中：请完成那笔支付，或单独支付该订单',
  CART_EMPTY: '购物车是空的',
  CART_FULL: '购物车最多放 10 种盲盒',
  POSITION_TAKEN: '手慢了，这个位置刚被别人选走，请重新选择',
  SET_NOT_ON_SALE: '这一盒已经售完或下架，请换一盒',
  GUARANTEE_UNAVAILABLE: '你的保底即将触发，但保底款已售罄：为保证承诺，本盒暂不能再购买（规则页有说明）',
};

/** What a page shows the shopper for any failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === 0 ? '网络连接失败，请检查网络后重试' : (RULE_MESSAGES[error.code] ?? error.message);
  }
  if (error instanceof Error) return error.message;
  return '出错了，请重试';
}
