export const toHexText = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** `length` random bytes from WebCrypto as hex, or null where there is none (the WeChat mini-program). */
export function webRandomHex(length: number): string | null {
  const webCrypto = (globalThis as { crypto?: Pick<Crypto, 'getRandomValues'> }).crypto;
  return webCrypto?.getRandomValues ? toHexText(webCrypto.getRandomValues(new Uint8Array(length))) : null;
}
