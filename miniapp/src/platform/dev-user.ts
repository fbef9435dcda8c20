import Taro from '@tarojs/taro';

// H5 only: there is no WeChat account, so the simulator's code2session maps codes like
// `dev-alice` to a stable openid, and the shopper picks which dev user to be.
const DEV_USER_KEY = 'blindbox.devUser';
export const DEFAULT_DEV_USER = 'dev-alice';
export const DEV_USERS = ['dev-alice', 'dev-bob', 'dev-carol'] as const;

export function getDevUser(): string {
  return Taro.getStorageSync<string>(DEV_USER_KEY) || DEFAULT_DEV_USER;
}

export function setDevUser(code: string): void {
  Taro.setStorageSync(DEV_USER_KEY, code);
}
