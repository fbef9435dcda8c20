import Taro from '@tarojs/taro';

/** WeChat's one-time code, which the server trades for the shopper's openid via code2session. */
export async function getLoginCode(): Promise<string> {
  const { code } = await Taro.login();
  return code;
}
