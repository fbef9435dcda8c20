import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import pino from 'pino';
import { requestLog } from './request-log';

test('every request ends in one line at info, but a passing /healthz (the order door sends one per kept connection every 30 s) only at debug', async () => {
  const lines: Array<{ level: number; path: string; status: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  const app = new Koa();
  app.use(requestLog(pino({ level: 'info' }, sink)));
  app.use((ctx) => {
    if (ctx.path === '/healthz') ctx.body = { status: ctx.query.down ? 'down' : 'ok' };
    if (ctx.query.down) ctx.status = 503;
    if (ctx.path === '/api/boxes') ctx.body = [];
  });
  const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const path of ['/healthz', '/api/boxes', '/healthz?down=1']) await (await fetch(`${url}${path}`)).arrayBuffer();
    expect(lines.map(({ level, path, status }) => ({ level, path, status }))).toEqual([
      { level: 30, path: '/api/boxes', status: 200 },
      { level: 30, path: '/healthz', status: 503 },
    ]);
  } finally {
    server.close();
  }
});
