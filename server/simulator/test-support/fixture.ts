/** Shared set-up for the simulator's tests: one credentials folder for all test files, fresh simulators per file. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCredentials } from '../../dev/credentials';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../src/simulator';
import { loadMerchantKeys, V3Client } from './v3-client';

/** Shared across Jest workers on purpose: generation is race-safe, and keys are slow to make. */
export const TEST_CREDENTIALS_DIR = path.join(os.tmpdir(), 'blindbox-simulator-test-credentials');

export interface Harness {
  sim: RunningSimulator;
  client: V3Client;
  control<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function startHarness(options: Partial<SimulatorOptions> = {}): Promise<Harness> {
  await ensureDevCredentials(TEST_CREDENTIALS_DIR);
  const sim = await startSimulator({ credentialsDir: TEST_CREDENTIALS_DIR, port: 0, timeScale: 0.001, ...options });
  const client = new V3Client(sim.url, loadMerchantKeys(TEST_CREDENTIALS_DIR));
  return {
    sim,
    client,
    async control(method, url, body) {
      const response = await fetch(sim.url + url, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };
}

export function tempStateFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'blindbox-sim-state-')), 'state.json');
}

let counter = 0;
/** Unique per call and per worker, within WeChat's 6–32 character rule. */
export function uniqueTradeNo(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${counter}`.slice(0, 32);
}

export function jsapiOrder(client: V3Client, outTradeNo: string, notifyUrl: string, total = 1999): Record<string, unknown> {
  return {
    appid: client.credentials.appid,
    mchid: client.credentials.mchid,
    description: 'Blindbox - test box',
    out_trade_no: outTradeNo,
    notify_url: notifyUrl,
    attach: 'order-42',
    amount: { total, currency: 'CNY' },
    payer: { openid: 'oTestOpenid0000000000000000' },
  };
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
