import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { simulatorControl } from '../../test/support/shop';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { shippedOrder } from '../../test/support/receipt-support';
import { MINIPROGRAM_PUSH_PATH } from '../payments/callback-paths';
import { platformReminderModel } from './platform-reminder.model';

const TOKEN = 'pushTokenSafe77';
// 43 characters of base64, as the mini-program admin generates it.
const AES_KEY = randomBytes(32).toString('base64').replace(/[+/]/g, 'a').slice(0, 43);
let server: TestServer;
const pushUrl = () => `${server.url}${MINIPROGRAM_PUSH_PATH}`;
const sha1 = (...parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');
const push = (body: Record<string, unknown>) => simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push', body) as Promise<{ status: number; body: string }>;

/** Encrypted as WeChat does, but for `appid`. */
function encryptFor(message: string, appid: string): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, MINIPROGRAM_PUSH_TOKEN: TOKEN, MINIPROGRAM_PUSH_AES_KEY: AES_KEY } });
});
afterAll(async () => {
  await server.stop();
});

test('safe mode: encrypted pushes (JSON and XML) are decrypted and applied; plain or foreign ones are refused', async () => {
  const { orderId, transactionId } = await shippedOrder(server, 'dev-push-safe');
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, encodingAesKey: AES_KEY, format: 'json' });
  expect(await push({ event: 'trade_manage_order_settlement', transactionId })).toMatchObject({ status: 200, body: 'success' });
  const settled = await orderDoc(server, orderId);
  expect(settled.settledAt).toBeInstanceOf(Date);
  expect(settled.status).toBe('COMPLETED');

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, encodingAesKey: AES_KEY, format: 'xml' });
  expect(await push({ event: 'trade_manage_remind_access_api' })).toMatchObject({ status: 200, body: 'success' });
  expect(await platformReminderModel(server.container.db).countDocuments({ event: 'trade_manage_remind_access_api' })).toBe(1);

  // Correctly signed but in plain text: safe mode takes nothing unencrypted.
  const { orderId: otherId, transactionId: other } = await shippedOrder(server, 'dev-push-safe-2');
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, format: 'json' });
  expect((await push({ event: 'trade_manage_order_settlement', transactionId: other })).status).toBe(401);

  // Encrypted with the right key and signed, but for another mini-program's appid.
  const message = JSON.stringify({ MsgType: 'event', Event: 'trade_manage_order_settlement', CreateTime: 1, transaction_id: other, settlement_time: 1700000000 });
  const encrypt = encryptFor(message, 'wx0000000000000000');
  const [timestamp, nonce] = ['1714037059', '486452656'];
  const foreign = await fetch(`${pushUrl()}?signature=${sha1(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${sha1(TOKEN, timestamp, nonce, encrypt)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ToUserName: 'gh_x', Encrypt: encrypt }),
  });
  expect(foreign.status).toBe(401);
  expect((await orderDoc(server, otherId)).settledAt ?? null).toBeNull();
}, 180_000);
