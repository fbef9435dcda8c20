import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { signedByAlipay } from '../../simulator/src/alipay/signing';
import type { DevAlipayCredentials } from '../../dev/alipay-credentials';
import { testEnv } from './test-env';

/** The action and hidden fields of the page-pay form the server returned (what the browser would submit). */
export function parseAlipayForm(formHtml: string): { action: string; fields: Record<string, string> } {
  const action = /<form action="([^"]+)"/.exec(formHtml)?.[1];
  if (!action) throw new Error(`no form action in ${formHtml}`);
  const fields = Object.fromEntries([...formHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)].map((match) => [match[1]!, match[2]!.replaceAll('&quot;', '"')]));
  return { action, fields };
}

/** Submits the form to the gateway as the browser does; answers the cashier page (or the gateway's error page). */
export async function openAlipayCashier(formHtml: string): Promise<{ status: number; html: string; outTradeNo: string }> {
  const { action, fields } = parseAlipayForm(formHtml);
  const response = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const outTradeNo = (JSON.parse(fields.biz_content ?? '{}') as { out_trade_no?: string }).out_trade_no ?? '';
  return { status: response.status, html: await response.text(), outTradeNo };
}

/** Opens the cashier and presses 确认付款; answers the signed return URL the browser is redirected to. */
export async function payAtAlipayCashier(simulatorUrl: string, formHtml: string): Promise<string> {
  const cashier = await openAlipayCashier(formHtml);
  if (cashier.status !== 200) throw new Error(`cashier not opened: ${cashier.status} ${cashier.html}`);
  const response = await fetch(`${simulatorUrl}/alipay/cashier/${encodeURIComponent(cashier.outTradeNo)}/pay`, { method: 'POST', redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`cashier did not redirect: ${response.status} ${await response.text()}`);
  return location;
}

export async function testAlipayCredentials(): Promise<DevAlipayCredentials & { alipayPrivateKey: string }> {
  const dir = testEnv().alipayCredentialsDir;
  const credentials = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8')) as DevAlipayCredentials;
  return { ...credentials, alipayPrivateKey: await readFile(path.join(dir, credentials.alipayPrivateKeyFile), 'utf8') };
}

/**
 * A trade_status_sync notification as Alipay sends it, signed with `privateKey` (Alipay's, unless a test forges).
 * A field given as '' is left out (e.g. gmt_payment of a trade closed unpaid).
 */
export function alipayNotification(fields: Record<string, string>, privateKey: string): Record<string, string> {
  const params = {
    notify_time: '2026-12-01 10:00:00',
    notify_type: 'trade_status_sync',
    notify_id: `n${Date.now()}${Math.random().toString(16).slice(2)}`,
    charset: 'utf-8',
    version: '1.0',
    gmt_create: '2026-12-01 09:59:00',
    gmt_payment: '2026-12-01 10:00:00',
    ...fields,
  };
  return signedByAlipay(Object.fromEntries(Object.entries(params).filter(([, value]) => value !== '')), privateKey);
}

export async function postAlipayNotify(serverUrl: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${serverUrl}/api/payments/alipay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  });
  return response.text();
}
