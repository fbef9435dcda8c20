/**
 * Test wiring for the gateway: a simulator over real HTTP, a notification receiver, captured pino lines, and
 * helpers to forge callbacks the way an attacker (or WeChat itself) would.
 */
import { createPrivateKey, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { type DevCredentials, ensureDevCredentials, readCredentialFile } from '../../dev/credentials';
import { startSimulator } from '../../simulator/src/simulator';
import { type WechatPayCredentials, loadWechatPayCredentials } from '../../src/payments/wechatpay/credentials';
import type { WechatPayGateway } from '../../src/payments/wechatpay/gateway';
import { createWechatPayGateway, type WechatPayGatewayOptions } from '../../src/payments/wechatpay/wechatpay-gateway';

export interface CapturedLogs {
  lines: Array<Record<string, unknown>>;
  events(name: string): Array<Record<string, unknown>>;
}

export function captureLogs(): { logger: pino.Logger; logs: CapturedLogs } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, logs: { lines, events: (name) => lines.filter((line) => line.event === name) } };
}

export interface ReceivedNotification {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

/** A merchant notify endpoint: keeps every raw delivery and answers with whatever `answer` says. */
export interface NotificationReceiver {
  url: string;
  received: ReceivedNotification[];
  answer: (notification: ReceivedNotification) => number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<NotificationReceiver> {
  const received: ReceivedNotification[] = [];
  const receiver: NotificationReceiver = {
    url: '',
    received,
    answer: () => 204,
    waitFor: (count, timeoutMs = 15_000) => waitUntil(() => (received.length >= count ? received : null), timeoutMs, `${count} notifications`),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const notification = { headers: req.headers, body: Buffer.concat(chunks), receivedAt: Date.now() };
      received.push(notification);
      res.statusCode = receiver.answer(notification);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/payments/wechat/notify`;
  return receiver;
}

export async function waitUntil<T>(probe: () => T | null | Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface SimulatorClient {
  url: string;
  post(pathname: string, body: unknown): Promise<unknown>;
  get(pathname: string): Promise<unknown>;
  delete(pathname: string): Promise<void>;
}

function simulatorClient(url: string): SimulatorClient {
  async function call(method: string, pathname: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(pathname, url), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname} → ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
  return {
    url,
    post: (pathname, body) => call('POST', pathname, body),
    get: (pathname) => call('GET', pathname),
    delete: async (pathname) => {
      await call('DELETE', pathname);
    },
  };
}

export interface Harness {
  dir: string;
  devCredentials: DevCredentials;
  credentials: WechatPayCredentials;
  sim: SimulatorClient;
  receiver: NotificationReceiver;
  gateway: WechatPayGateway;
  logs: CapturedLogs;
  /** Another gateway on the same simulator, e.g. in the other verify mode or with a shorter timeout. */
  gatewayWith(overrides: Partial<WechatPayGatewayOptions>): { gateway: WechatPayGateway; logs: CapturedLogs };
  /** The private key WeChat signs with in the folder's initial setup, for callbacks that must pass the signature check. */
  wechatSigningKey(mode?: 'platform-certificate' | 'public-key'): Promise<{ serial: string; key: KeyObject }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  verifyMode?: WechatPayGatewayOptions['verifyMode'];
  signingMode?: 'platform-certificate' | 'public-key';
  timeScale?: number;
  timeoutMs?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'wechatpay-gateway-'));
  const dir = path.join(tmp, 'credentials');
  const devCredentials = await ensureDevCredentials(dir);
  const verifyMode = options.verifyMode ?? 'platform-certificate';
  const simulator = await startSimulator({
    credentialsDir: dir,
    port: 0,
    timeScale: options.timeScale ?? 1,
    signingMode: options.signingMode ?? (verifyMode === 'both' ? 'platform-certificate' : verifyMode),
  });
  const receiver = await startReceiver();
  const credentials = await loadWechatPayCredentials(dir);

  const gatewayWith = (overrides: Partial<WechatPayGatewayOptions>) => {
    const { logger, logs } = captureLogs();
    const gateway = createWechatPayGateway({
      baseUrl: simulator.url,
      credentials,
      verifyMode,
      notifyUrl: receiver.url,
      timeoutMs: options.timeoutMs ?? 5_000,
      logger,
      ...overrides,
    });
    return { gateway, logs };
  };
  const { gateway, logs } = gatewayWith({});

  return {
    dir,
    devCredentials,
    credentials,
    sim: simulatorClient(simulator.url),
    receiver,
    gateway,
    logs,
    gatewayWith,
    async wechatSigningKey(mode) {
      const usePublicKey = (mode ?? options.signingMode ?? verifyMode) === 'public-key';
      const file = usePublicKey ? devCredentials.publicKeyPrivateKeyFile : devCredentials.platformPrivateKeyFile;
      return {
        serial: usePublicKey ? devCredentials.publicKeyId : devCredentials.platformSerialNo,
        key: createPrivateKey(await readCredentialFile(dir, file)),
      };
    },
    async close() {
      await receiver.close();
      await simulator.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Wechatpay-* headers for `body`, signed by `key`: genuine when it is WeChat's key, a forgery otherwise. */
export function signedHeaders(
  body: Buffer | string,
  signer: { serial: string; key: KeyObject },
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256')
    .update(Buffer.concat([Buffer.from(`${timestampSeconds}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]))
    .sign(signer.key, 'base64');
  return {
    'wechatpay-timestamp': String(timestampSeconds),
    'wechatpay-nonce': nonce,
    'wechatpay-serial': signer.serial,
    'wechatpay-signature': signature,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

export function freshRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Unique per run so tests sharing a simulator never collide; letters and digits only, within 6–32 chars. */
export function outTradeNo(prefix = 'T'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(5).toString('hex')}`.slice(0, 32);
}
