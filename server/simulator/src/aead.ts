import { createCipheriv, randomInt } from 'node:crypto';

const NONCE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface AeadBox {
  algorithm: 'AEAD_AES_256_GCM';
  nonce: string;
  associated_data: string;
  ciphertext: string;
}

/** A printable 12-character nonce: WeChat sends it as text and merchants use its bytes as the GCM IV. */
export function randomNonce(length = 12): string {
  return Array.from({ length }, () => NONCE_CHARS[randomInt(NONCE_CHARS.length)]).join('');
}

/** AEAD_AES_256_GCM with the APIv3 key; ciphertext is base64 of the encrypted bytes followed by the 16-byte tag. */
export function encryptWithApiV3Key(apiV3Key: string, plaintext: string, associatedData: string): AeadBox {
  const nonce = randomNonce();
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: associatedData, ciphertext: encrypted.toString('base64') };
}
