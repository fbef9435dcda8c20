import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ensureDevCredentials } from '../dev/credentials';

describe('dev credentials', () => {
  it('generates one consistent set even when two callers race, and never regenerates', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'blindbox-creds-')), 'wechatpay-dev');
    const [a, b] = await Promise.all([ensureDevCredentials(dir), ensureDevCredentials(dir)]);
    expect(b).toEqual(a);
    expect(await ensureDevCredentials(dir)).toEqual(a);

    expect(a.appid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(a.mchid).toMatch(/^\d{10}$/);
    expect(a.appSecret).toMatch(/^[0-9a-f]{32}$/);
    expect(a.apiV3Key).toMatch(/^[\x21-\x7e]{32}$/);
    expect(a.publicKeyId).toMatch(/^PUB_KEY_ID_\d{32}$/);
    const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
    for (const [certFile, keyFile, serial] of [
      [a.merchantCertificateFile, a.merchantPrivateKeyFile, a.merchantSerialNo],
      [a.platformCertificateFile, a.platformPrivateKeyFile, a.platformSerialNo],
    ] as const) {
      const cert = new X509Certificate(read(certFile));
      expect(cert.serialNumber.toUpperCase()).toBe(serial);
      expect(read(keyFile)).toContain('-----BEGIN PRIVATE KEY-----');
      expect(createPublicKey(createPrivateKey(read(keyFile))).equals(cert.publicKey)).toBe(true);
    }
    expect(read(a.publicKeyFile)).toContain('-----BEGIN PUBLIC KEY-----');
    expect(createPublicKey(createPrivateKey(read(a.publicKeyPrivateKeyFile))).equals(createPublicKey(read(a.publicKeyFile)))).toBe(true);
  });
});
