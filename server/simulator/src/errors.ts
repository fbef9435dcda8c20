/** An error answer in WeChat Pay's shape: HTTP status plus `{code, message}`. */
export class WxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'WxError';
  }

  toBody(): Record<string, unknown> {
    return this.detail ? { code: this.code, message: this.message, detail: this.detail } : { code: this.code, message: this.message };
  }
}

export const paramError = (message: string, field?: string): WxError =>
  new WxError(400, 'PARAM_ERROR', message, field ? { field, location: 'body' } : undefined);
