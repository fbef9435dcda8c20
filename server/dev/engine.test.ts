import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { ping, startEngine, stopEngine } from './engine';

test('the engine script starts, reuses and stops an engine, which keeps its port', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-test-'));
  const first = await startEngine({ dataDir: dir, log: () => undefined });
  try {
    expect(first.reused).toBe(false);
    expect(first.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await ping(first.uri)).toBe(true);

    const second = await startEngine({ dataDir: dir, log: () => undefined });
    expect(second.reused).toBe(true);
    expect(second.uri).toBe(first.uri);
    await second.stop();
    expect(await ping(first.uri)).toBe(true);
  } finally {
    await first.stop();
  }
  expect(await ping(first.uri, 500)).toBe(false);
  expect(await stopEngine(dir)).toBe(false);

  // started again, it takes the port it had
  const third = await startEngine({ dataDir: dir, log: () => undefined });
  expect(third.uri).toBe(first.uri);
  await third.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);
