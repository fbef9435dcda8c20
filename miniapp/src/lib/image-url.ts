/**
 * The server hands out its own pictures as same-origin paths (`/images/<hash>.svg`). The H5 build is
 * served from that origin; WeChat's <image> needs an absolute URL, so the weapp build prefixes the API base
 * it was built with. Absolute URLs (an admin's own CDN) pass through.
 */
export function imageSrc(url: string, apiBase = process.env.TARO_APP_API_BASE ?? ''): string {
  return url.startsWith('/') && !url.startsWith('//') ? `${apiBase.replace(/\/+$/, '')}${url}` : url;
}
