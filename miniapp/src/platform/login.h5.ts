import { getDevUser } from './dev-user';

/** H5 stand-in for `Taro.login`: the dev user's code, resolved by the simulator's code2session. */
export async function getLoginCode(): Promise<string> {
  return getDevUser();
}
