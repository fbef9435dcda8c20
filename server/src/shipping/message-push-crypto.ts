import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * The mini-program message push's signatures and safe mode (消息推送, 消息加解密): signature = sha1 of token,
 * timestamp and nonce sorted and joined; in safe mode msg_signature adds the Encrypt field to the sort, and Encrypt
 * is AES-256-CBC of random(16) ‖ length(4, big-endian) ‖ message ‖ appid, PKCS#7-padded to 32-byte blocks, keyed
 * by base64(EncodingAESKey + "=") with the key's first 16 bytes as IV.
 */
export function pushSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

export function signatureMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given.toLowerCase()));
}

/** The 43-character EncodingAESKey as the 32-byte AES key; throws when it is not one. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new Error('EncodingAESKey must be 43 characters of base64 (32 bytes)');
  return key;
}

const BLOCK = 32;

/** The message inside Encrypt; throws when it does not decrypt, is malformed, or names another appid. */
export function decryptPush(encrypt: string, key: Buffer, appid: string): string {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const pad = padded.at(-1) ?? 0;
  if (pad < 1 || pad > BLOCK || padded.length < 20 + pad || !padded.subarray(padded.length - pad).every((byte) => byte === pad)) throw new Error('bad padding');
  const content = padded.subarray(0, padded.length - pad);
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) throw new Error('bad message length');
  const from = content.subarray(20 + length).toString('utf8');
  if (from !== appid) throw new Error(`message is for appid ${from}`);
  return content.subarray(20, 20 + length).toString('utf8');
}
