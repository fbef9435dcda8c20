/**
 * A merchant of Alipay's open platform written on node:crypto alone (not the shop's adapter, not the simulator's
 * signing code), the way the docs describe it: RSA2 over the sorted `k=v` string, answers verified over the inner
 * JSON text, and a notify endpoint that answers from a script.
 */
import { createSign, createVerify } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beijingTime } from '@blindbox/shared';
import { ensureDevAlipayCredentials, type DevAlipayCredentials } from '../../dev/alipay-credentials';

/** Shared by the simulator's Alipay tests: generation is race-safe, and keys are slow to make. */
const ALIPAY_TEST_DIR = path.join(os.tmpdir(), 'blindbox-simulator-test-alipay');

/**
 * The folder of the simulator's Alipay keys, made first when missing: the simulator reads them as it starts, before
 * any merchant exists (on a fresh machine the first test to start one found nothing).
 */
export async function alipayTestDir(): Promise<string> {
  await ensureDevAlipayCredentials(ALIPAY_TEST_DIR);
  return ALIPAY_TEST_DIR;
}

export const canonical = (params: Record<string, string>, skip: string[]) =>
  Object.keys(params)
    .filter((key) => !skip.includes(key) && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');

export interface AlipayMerchant {
  credentials: DevAlipayCredentials;
  alipayPublicKey: string;
  /** Common parameters (timestamp: now, Beijing time) plus `extra`, signed with the app key. */
  signed(method: string, biz: Record<string, string>, extra?: Record<string, string>): Record<string, string>;
  gateway(params: Record<string, string>): Promise<Response>;
  /** An API call's answer under `<method>_response` (or `error_response`), its signature checked. */
  call(method: string, biz: Record<string, string>, extra?: Record<string, string>): Promise<Record<string, string>>;
  /** True when Alipay's signature over a notification or return verifies (`sign` and `sign_type` left out). */
  signedByAlipay(params: Record<string, string>): boolean;
}

export async function alipayMerchant(simUrl: string): Promise<AlipayMerchant> {
  const credentials = await ensureDevAlipayCredentials(ALIPAY_TEST_DIR);
  const appPrivateKey = await readFile(path.join(ALIPAY_TEST_DIR, credentials.appPrivateKeyFile), 'utf8');
  const alipayPublicKey = await readFile(path.join(ALIPAY_TEST_DIR, credentials.alipayPublicKeyFile), 'utf8');
  const signed = (method: string, biz: Record<string, string>, extra: Record<string, string> = {}) => {
    const params = { app_id: credentials.appId, method, charset: 'utf-8', sign_type: 'RSA2', timestamp: beijingTime(new Date()), version: '1.0', biz_content: JSON.stringify(biz), ...extra };
    return { ...params, sign: createSign('RSA-SHA256').update(canonical(params, ['sign'])).sign(appPrivateKey, 'base64') };
  };
  const gateway = (params: Record<string, string>) =>
    fetch(`${simUrl}/alipay/gateway.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  return {
    credentials,
    alipayPublicKey,
    signed,
    gateway,
    async call(method, biz, extra) {
      const text = await (await gateway(signed(method, biz, extra))).text();
      const key = [`${method.replaceAll('.', '_')}_response`, 'error_response'].find((name) => text.includes(`"${name}":`))!;
      const inner = text.slice(text.indexOf(`"${key}":`) + key.length + 3, text.lastIndexOf(',"sign":'));
      const { sign } = JSON.parse(text) as { sign: string };
      if (!createVerify('RSA-SHA256').update(inner).verify(alipayPublicKey, sign, 'base64')) throw new Error(`${method}: the answer's signature does not verify`);
      return JSON.parse(inner) as Record<string, string>;
    },
    signedByAlipay: (params) => createVerify('RSA-SHA256').update(canonical(params, ['sign', 'sign_type'])).verify(alipayPublicKey, params.sign ?? '', 'base64'),
  };
}

/** A merchant notify endpoint answering from a script: `failure`, `failure`, `success`, … (then `success`). */
export async function notifyReceiver(answers: string[] = []) {
  const received: Array<Record<string, string>> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(body)));
      res.end(answers[received.length - 1] ?? 'success');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
