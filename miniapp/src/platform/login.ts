import Taro from '@tarojs/taro';

/** WeChat identifies the shopper itself: the mini-program logs in silently (the H5 shop only in development). */
export const SILENT_LOGIN = true;

/** WeChat's one-time code, which the server trades for the shopper's openid via code2session. */
export async function getLoginCode(): Promise<string> {
  const { code } = await Taro.login();
  return code;
}
