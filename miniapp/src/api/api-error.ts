import { GENERIC_ERROR, wordsFor, type ErrorDetails } from './error-words';

/** Status 0 means the request never got an answer. `details`: the facts the server sent beside the code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const NETWORK_ERROR = 'NETWORK_ERROR';
/** The server answered, but not in the shape the shared schema describes. */
export const CONTRACT_MISMATCH = 'CONTRACT_MISMATCH';
/** The H5 shop outside development: nobody is signed in, and the sign-in page has been opened. */
export const SIGN_IN_REQUIRED = 'SIGN_IN_REQUIRED';

function isErrorBody(body: unknown): body is { code: string; message: string } & ErrorDetails {
  if (typeof body !== 'object' || body === null) return false;
  const { code, message } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string';
}

/** Maps a non-2xx answer to an ApiError, keeping the server's `{code, message}` when it sent one. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const { code, message, ...details } = body;
    return new ApiError(status, code, message, details);
  }
  return new ApiError(status, `HTTP_${status}`, `服务器错误 (HTTP ${status})`);
}

/** The request fields a validation error can name, as the shopper knows them. */
export const FIELD_LABELS: Record<string, string> = {
  name: '收货人',
  phone: '手机号',
  region: '所在地区',
  detail: '详细地址',
  quantity: '数量',
  items: '商品数量',
  bracket: '年龄段',
  clientSeed: '客户端种子',
  couponId: '优惠券',
  addressId: '收货地址',
};

/** The fields a VALIDATION_ERROR names (the server lists them in `fields`), in the shopper's words. */
export function invalidFields(error: ApiError): string[] {
  const fields = typeof error.details.fields === 'string' ? error.details.fields.split(',') : [];
  return fields.filter((field) => field in FIELD_LABELS);
}

/** What a page shows the shopper for any failure: always Chinese, never the server's developer text. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return GENERIC_ERROR;
  if (error.code === 'VALIDATION_ERROR') {
    const fields = invalidFields(error).map((field) => FIELD_LABELS[field]);
    if (fields.length > 0) return `请检查${fields.join('、')}是否填写正确`;
  }
  return wordsFor(error.code, error.details) ?? GENERIC_ERROR;
}
