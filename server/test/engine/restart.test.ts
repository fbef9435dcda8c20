import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { isAlive, ping, startEngine, type EngineHandle } from '../../dev/engine';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitUntil } from '../support/wechatpay-harness';

/**
 * A restarted engine comes back on the port it had (remembered in its data folder), so a running server,
 * whose driver keeps monitoring that address, reconnects by itself: no restart, no new connection string.
 */

let dataDir: string;
let engine: EngineHandle | null = null;
let server: TestServer | null = null;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-restart-'));
});
afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const enginePid = () => (JSON.parse(fs.readFileSync(path.join(dataDir, 'engine.json'), 'utf8')) as { pid: number }).pid;

async function readyz(url: string): Promise<number> {
  const response = await fetch(`${url}/readyz`).catch(() => null);
  await response?.arrayBuffer();
  return response?.status ?? 0;
}

test('the engine killed and restarted keeps its port; the running server reconnects by itself', async () => {
  if (process.env.MONGODB_URI) return;
  engine = await startEngine({ dataDir, log: () => undefined });
  server = await startTestServer({ env: { MONGODB_URI: engine.uri } });
  await server.login('restart-before');
  expect(await readyz(server.url)).toBe(200);

  // multikey flags are part of what must survive: an array stored before the restart is still found after it
  const tags = server.container.db.collection('tags');
  await tags.createIndex({ t: 1 });
  await tags.insertMany([{ t: 'x' }, { t: ['x', 'y'] }]);

  const pid = enginePid();
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => (isAlive(pid) ? null : true), 5_000, 'the engine to die');
  expect(await readyz(server.url)).toBe(503);

  const uri = engine.uri;
  engine = await startEngine({ dataDir, log: () => undefined });
  expect(engine.uri).toBe(uri);

  await waitUntil(async () => ((await readyz(server!.url)) === 200 ? true : null), 15_000, 'the server to reconnect');
  await server.login('restart-after');
  expect(await tags.countDocuments({ t: 'x' })).toBe(2);
  const explained = (await tags.find({ t: 'x' }).explain()) as { filterPushdown: boolean };
  expect(explained.filterPushdown).toBe(false);
}, 60_000);

test('a port taken by another program meanwhile is not reused', async () => {
  if (process.env.MONGODB_URI) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-port-'));
  const first = await startEngine({ dataDir: dir, log: () => undefined });
  await first.stop();
  const port = Number(new URL(first.uri).port);
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    const second = await startEngine({ dataDir: dir, log: () => undefined });
    expect(second.uri).not.toBe(first.uri);
    expect(await ping(second.uri)).toBe(true);
    await second.stop();
  } finally {
    squatter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
