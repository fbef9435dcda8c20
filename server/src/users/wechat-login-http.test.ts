import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCredentials, type DevCredentials } from '../../dev/credentials';
import { type RunningSimulator, startSimulator } from '../../simulator/src/simulator';
import { createWechatLogin } from './wechat-login-http';
import { InvalidLoginCodeError } from './wechat-login';

describe('createWechatLogin against the simulator', () => {
  let tmp: string;
  let credentials: DevCredentials;
  let sim: RunningSimulator;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'wechat-login-'));
    const dir = path.join(tmp, 'credentials');
    credentials = await ensureDevCredentials(dir);
    sim = await startSimulator({ credentialsDir: dir, port: 0 });
  });
  afterAll(async () => {
    await sim.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const login = (overrides: Partial<Parameters<typeof createWechatLogin>[0]> = {}) =>
    createWechatLogin({ baseUrl: sim.url, appid: credentials.appid, appSecret: credentials.appSecret, timeoutMs: 2_000, ...overrides });

  it('exchanges a code for the openid and keeps the session_key to itself', async () => {
    const session = await login().code2session('dev-alice');
    expect(session).toEqual({ openid: expect.stringMatching(/^o/), unionid: null });
    expect(await login().code2session('dev-alice')).toEqual(session);
    expect((await login().code2session('dev-bob')).openid).not.toBe(session.openid);
  });

  it('turns errcode 40029 into InvalidLoginCodeError', async () => {
    const error = await login().code2session('invalid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidLoginCodeError);
    expect(error).toMatchObject({ errcode: 40029 });
  });

  it('reports a wrong AppSecret as a server problem, not the user’s code', async () => {
    const error = await login({ appSecret: 'wrong' }).code2session('dev-alice').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InvalidLoginCodeError);
    expect((error as Error).message).toMatch(/40125/);
  });

  it('fails with a plain Error when nothing answers in time or at all', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const timedOut = await login({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 }).code2session('dev-alice').catch((e: unknown) => e);
      expect(timedOut).not.toBeInstanceOf(InvalidLoginCodeError);
      expect((timedOut as Error).message).toMatch(/no answer within 200ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    const refused = await login({ baseUrl: `http://127.0.0.1:${port}` }).code2session('dev-alice').catch((e: unknown) => e);
    expect(refused).not.toBeInstanceOf(InvalidLoginCodeError);
    expect((refused as Error).message).toMatch(/code2session failed/);
  });
});
