import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { ensureDevCredentials, readCredentialFile } from './credentials';
import { encryptWithApiV3Key } from '../simulator/src/aead';
import { signedHeaders } from '../test/support/wechatpay-harness';

/**
 * Builds callbacks exactly as WeChat Pay (and the simulator) does — encrypted resource, signed headers —
 * so tests and the benchmark can send genuine ones many times over, or alter one detail to forge them.
 */
export async function signedCallbacks(dir: string) {
  const credentials = await ensureDevCredentials(dir);
  const platformSigner = { serial: credentials.platformSerialNo, key: createPrivateKey(await readCredentialFile(dir, credentials.platformPrivateKeyFile)) };

  function transaction(outTradeNo: string, amountFen: number, overrides: Record<string, unknown> = {}) {
    return {
      appid: credentials.appid,
      mchid: credentials.mchid,
      out_trade_no: outTradeNo,
      transaction_id: `42000${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(0, 28),
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: '',
      success_time: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
      payer: { openid: 'o-test-payer' },
      amount: { total: amountFen, payer_total: amountFen, currency: 'CNY', payer_currency: 'CNY' },
      ...overrides,
    };
  }

  function envelope(resource: object, associatedData = 'transaction') {
    return {
      id: `EV-${randomUUID()}`,
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { original_type: 'transaction', ...encryptWithApiV3Key(credentials.apiV3Key, JSON.stringify(resource), associatedData) },
    };
  }

  return {
    credentials,
    platformSigner,
    transaction,
    envelope,
    /** Raw body + genuine headers, ready to POST; `signer`/`timestamp` override to forge. */
    signed(
      body: object | string,
      signer: { serial: string; key: KeyObject } = platformSigner,
      timestampSeconds?: number,
    ): { raw: string; headers: Record<string, string> } {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return { raw, headers: { 'content-type': 'application/json', ...signedHeaders(raw, signer, timestampSeconds) } };
    },
  };
}
