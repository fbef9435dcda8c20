/**
 * One authenticated call to api.weixin.qq.com, for the ports beside the shipping one (subscribe messages, …)
 * that share its access token: wechat-platform-http.ts keeps the token (stored, renewed, replaced on
 * 40001/42001) and each port's adapter only knows its own paths and answers.
 */
export interface WechatApiCaller {
  /**
   * POSTs `body` as JSON (a GET when it is undefined) with the current access token and answers the parsed
   * JSON with its errcode (0 when the answer has none). Throws PlatformError(null) when there is no usable
   * answer; a non-zero errcode is the caller's to judge.
   */
  callWithToken(path: string, body: unknown): Promise<{ errcode: number; errmsg?: string } & Record<string, unknown>>;
}
