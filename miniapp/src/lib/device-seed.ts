import Taro from '@tarojs/taro';
import { toHexText, webRandomHex } from './random-hex';

const KEY = 'device-client-seed';
/** Random bytes made on this device: WebCrypto in H5, WeChat's user crypto manager in the mini-program (it has no WebCrypto). */
function randomHex(length: number): Promise<string> {
  const web = webRandomHex(length);
  if (web !== null) return Promise.resolve(web);
  return new Promise((resolve, reject) =>
    Taro.getUserCryptoManager().getRandomValues({ length, success: (res) => resolve(toHexText(new Uint8Array(res.randomValues))), fail: reject }),
  );
}

/**
 * The shopper's client seed is made here, on their device, at first launch, and sent once (docs/fairness.md):
 * so the draws combine a secret the shop committed to with one it never chose. A seed the shopper types on the
 * 客户端种子 page replaces it the same way.
 */
export async function ensureDeviceClientSeed(setClientSeed: (seed: string) => Promise<unknown>): Promise<void> {
  if (Taro.getStorageSync<string>(KEY)) return;
  const seed = await randomHex(16);
  await setClientSeed(seed);
  Taro.setStorageSync(KEY, seed);
}
