import { createDecipheriv } from 'node:crypto';

const TAG_BYTES = 16;

export interface EncryptedResource {
  ciphertext: string;
  nonce: string;
  associatedData: string;
}

/**
 * AEAD_AES_256_GCM with the APIv3 key, as used by callbacks and the certificate list. The library's
 * decipher_gcm never calls final(), so it would accept a forged tag or the wrong associated_data; the tag
 * check here is the whole point of the AEAD.
 */
export function decryptAes256Gcm(apiV3Key: string, resource: EncryptedResource): string {
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (sealed.length <= TAG_BYTES) throw new Error('ciphertext shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associatedData, 'utf8'));
  const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  return plain.toString('utf8');
}
