import Taro from '@tarojs/taro';
import { getLoginCode } from '../platform/login';
import { createApiClient, type TokenStore } from './client';
import { createShopApi } from './shop-api';
import { taroTransport } from './taro-transport';

const TOKEN_KEY = 'blindbox.token';
/** Taro event fired when the session was replaced or dropped: every loaded page reloads for the account now signed in. */
export const SESSION_CHANGED = 'blindbox.session-changed';

const storageTokens: TokenStore = {
  get: () => (Taro.getStorageSync<string>(TOKEN_KEY) || null),
  set: (token) => Taro.setStorageSync(TOKEN_KEY, token),
  clear: () => Taro.removeStorageSync(TOKEN_KEY),
};

/** The one API client of the app, logged in lazily and again whenever the server answers 401. */
export const api = createShopApi(
  createApiClient({
    baseUrl: process.env.TARO_APP_API_BASE ?? '',
    transport: taroTransport,
    tokens: storageTokens,
    getLoginCode,
    validateResponses: process.env.NODE_ENV !== 'production',
    onSessionChange: () => Taro.eventCenter.trigger(SESSION_CHANGED),
  }),
);
