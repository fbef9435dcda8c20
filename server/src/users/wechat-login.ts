/** The port for WeChat mini-program login (code2session). */
export interface WechatLogin {
  /** Throws InvalidLoginCodeError when WeChat rejects the code. */
  code2session(code: string): Promise<{ openid: string; unionid: string | null }>;
}

export class InvalidLoginCodeError extends Error {
  constructor(readonly errcode: number, message: string) {
    super(message);
    this.name = 'InvalidLoginCodeError';
  }
}
