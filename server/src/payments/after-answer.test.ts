import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import { afterAnswer } from './after-answer';

const logger = pino({ level: 'silent' });

test('work started inside a request runs outside its async context, after the request has moved on', async () => {
  const later = afterAnswer(logger);
  const request = new AsyncLocalStorage<string>();
  const seen: Array<string | undefined> = [];
  request.run('POST /api/payments/wechat/notify', () => {
    later.start('test', {}, async () => {
      seen.push(request.getStore());
    });
    // Nothing has run yet: the request answers first.
    expect(seen).toEqual([]);
  });
  await later.idle();
  expect(seen).toEqual([undefined]);
});

test('a failing task is tried again until it succeeds; once stopping, it is not', async () => {
  const later = afterAnswer(logger);
  let attempts = 0;
  later.start('test', {}, async () => {
    attempts += 1;
    if (attempts < 3) throw new Error('database away');
  });
  await later.idle();
  expect(attempts).toBe(3);

  let failures = 0;
  later.start('test', {}, async () => {
    failures += 1;
    throw new Error('database away');
  });
  await later.stop();
  // Stopping before it ran: tried once, then left to the sweep.
  expect(failures).toBe(1);
});
