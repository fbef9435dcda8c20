/** Where a weapp development build sends API calls: the demo server, for WeChat DevTools on the same machine. */
export const DEV_API_BASE = 'http://127.0.0.1:3000';

/** The HTTPS origin the browser test's release H5 build is made for; the test routes it to its own server. */
export const RELEASE_TEST_API_BASE = 'https://shop.blindbox.test';

/** The Taro mode of the build that gets uploaded to WeChat (`npm run release:weapp -w miniapp`). */
export const RELEASE_MODE = 'release';

/**
 * The API base URL baked into a build. H5 is served by the API server and calls it same-origin; the weapp runs
 * inside WeChat, which only calls HTTPS domains registered in the mini-program console, so a release build
 * without one would upload a shop that cannot reach its server.
 */
export function apiBaseFor(target: string | undefined, mode: string, configured: string | undefined): string {
  if (target === 'h5' && mode !== RELEASE_MODE) return configured ?? '';
  if (target === 'h5') {
    // Shoppers sign in with their phone number and pay with Alipay or desktop QR: real money, so HTTPS only.
    if (!configured || !/^https:\/\/[^/]+/.test(configured)) {
      throw new Error(`A release H5 build needs TARO_APP_API_BASE=https://<your shop's domain> (got ${configured ? JSON.stringify(configured) : 'nothing'}); see docs/phone-sign-in.md`);
    }
    return configured.replace(/\/+$/, '');
  }
  if (mode !== RELEASE_MODE) return configured ?? DEV_API_BASE;
  if (!configured || !/^https:\/\/[^/]+/.test(configured)) {
    throw new Error(
      `A release weapp build needs TARO_APP_API_BASE=https://<your API domain> (got ${configured ? JSON.stringify(configured) : 'nothing'}): ` +
        'WeChat only lets a published mini-program call HTTPS domains listed under 开发管理 → 服务器域名. ' +
        'Set it in the environment or in miniapp/.env.release; see the publishing checklist in miniapp/README.md.',
    );
  }
  return configured.replace(/\/+$/, '');
}
