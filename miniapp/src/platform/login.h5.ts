import Taro from '@tarojs/taro';
import { ApiError, SIGN_IN_REQUIRED } from '../api/api-error';
import { routes } from '../lib/routes';
import { getDevUser } from './dev-user';

/**
 * Development H5 builds sign in as a dev user (the simulator's code2session maps `dev-alice` to an openid); a
 * release H5 build has no such thing: a shopper signs in with a phone number and an SMS code.
 */
export const SILENT_LOGIN = process.env.TARO_APP_DEV_LOGIN === '1';

let opening: Promise<unknown> | null = null;

/** H5 stand-in for `Taro.login`: the dev user's code, or (release builds) the sign-in page. */
export async function getLoginCode(): Promise<string> {
  if (SILENT_LOGIN) return getDevUser();
  // A page's requests fail one after another: the sign-in page opens once, and never on top of itself.
  if (!opening && !(Taro.getCurrentPages().at(-1)?.route ?? '').includes('sign-in')) {
    opening = Taro.navigateTo({ url: routes.signIn() })
      .catch(() => undefined)
      .finally(() => (opening = null));
  }
  await opening;
  throw new ApiError(401, SIGN_IN_REQUIRED, 'sign in with a phone number first');
}
