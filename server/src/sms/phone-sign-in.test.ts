import { apiClient } from '../../test/support/api-client';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { simulatorControl } from '../../test/support/shop';
import { freshPhone, smsCodeAt } from '../../test/support/phone';
import { inParallel } from '../../test/support/in-parallel';

/**
 * Phone sign-in over HTTP against the SMS simulator: the code's lifecycle, every send limit (under concurrency),
 * the shop's daily budget, and answers that say nothing about whether a number is a shopper's. Requests come
 * through one trusted proxy, so each test picks its own client address with X-Forwarded-For.
 */
let server: TestServer;
// 10:00 in Beijing: an hour and a day with room for the per-number windows the tests walk through.
const START = new Date('2026-12-04T02:00:00Z');

beforeAll(async () => {
  server = await startTestServer({ seed: false, env: { TRUSTED_PROXY_HOPS: '1', SMS_PER_ADDRESS_PER_HOUR: '6', SMS_PER_ADDRESS_PER_DAY: '1000', SMS_DAILY_BUDGET_FEN: '1000000' } });
});
afterAll(() => server.stop());
beforeEach(async () => {
  server.clock.setTo(START);
  await simulatorControl(server.simulatorUrl, 'DELETE', '/sim/sms/faults');
});

let addresses = 0;
/** A client at its own address, so the per-address limit of one test never refuses another's. */
function client(address = `10.1.${Math.floor(++addresses / 250)}.${addresses % 250}`) {
  async function post(path: string, body: unknown) {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  return {
    sendCode: (phone: string) => post('/api/auth/sms-code', { phone }),
    signIn: (phone: string, code: string) => post('/api/auth/phone-login', { phone, code }),
  };
}

const after = (seconds: number) => server.clock.setTo(new Date(START.getTime() + seconds * 1000));
const delivered = async (phone: string) => ((await simulatorControl(server.simulatorUrl, 'GET', `/sim/sms?phone=${phone}`)) as { messages: unknown[] }).messages.length;

describe('the code', () => {
  it('signs in once: the same code again is refused, and a new account gets the mini-program’s kind of session', async () => {
    const shopper = client();
    const phone = freshPhone();
    const sent = await shopper.sendCode(` +86 ${phone.slice(0, 3)}-${phone.slice(3)}`);
    expect(sent).toEqual({ status: 200, body: { resendAfterSeconds: 60, expiresInSeconds: 300 } });
    const { code } = await smsCodeAt(server.simulatorUrl, phone);
    expect(code).toMatch(/^\d{6}$/);

    const first = await shopper.signIn(phone, code);
    expect(first.status).toBe(200);
    expect(first.body.token).toEqual(expect.any(String));
    const me = await apiClient(server.url, first.body.token as string).get<{ phone: string }>('/api/me');
    expect(me.body.phone).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);

    expect(await shopper.signIn(phone, code)).toMatchObject({ status: 400, body: { code: 'INVALID_SMS_CODE' } });
  });

  it('is kept only as a keyed hash', async () => {
    const phone = freshPhone();
    await client().sendCode(phone);
    const { code } = await smsCodeAt(server.simulatorUrl, phone);
    const stored = await server.container.db.collection('smsCodes').findOne({ _id: phone as never });
    expect(stored).not.toBeNull();
    expect(JSON.stringify(stored)).not.toContain(code);
  });

  it('expires after five minutes', async () => {
    const shopper = client();
    const phone = freshPhone();
    await shopper.sendCode(phone);
    const { code } = await smsCodeAt(server.simulatorUrl, phone);
    after(5 * 60 + 1);
    expect(await shopper.signIn(phone, code)).toMatchObject({ status: 400, body: { code: 'INVALID_SMS_CODE' } });
  });

  it('dies after five wrong tries, even tried in parallel, and then the right one is refused too', async () => {
    const shopper = client();
    const phone = freshPhone();
    await shopper.sendCode(phone);
    const { code } = await smsCodeAt(server.simulatorUrl, phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const guesses = await inParallel(Array.from({ length: 12 }), 12, () => shopper.signIn(phone, wrong));
    expect(guesses.every((guess) => guess.status === 400 && guess.body.code === 'INVALID_SMS_CODE')).toBe(true);
    expect(await shopper.signIn(phone, code)).toMatchObject({ status: 400, body: { code: 'INVALID_SMS_CODE' } });
    const stored = await server.container.db.collection('smsCodes').findOne({ _id: phone as never });
    expect(stored?.tries).toBe(5);
  });

  it('is replaced by a newer one', async () => {
    const shopper = client();
    const phone = freshPhone();
    await shopper.sendCode(phone);
    const old = await smsCodeAt(server.simulatorUrl, phone);
    after(61);
    await shopper.sendCode(phone);
    const fresh = await smsCodeAt(server.simulatorUrl, phone, old.sentAt);
    if (fresh.code !== old.code) expect(await shopper.signIn(phone, old.code)).toMatchObject({ status: 400 });
    expect((await shopper.signIn(phone, fresh.code)).status).toBe(200);
  });

  it('of two parallel right answers, signs in exactly one', async () => {
    const phone = freshPhone();
    await client().sendCode(phone);
    const { code } = await smsCodeAt(server.simulatorUrl, phone);
    const results = await inParallel(Array.from({ length: 8 }), 8, () => client().signIn(phone, code));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
  });
});

describe('send limits', () => {
  it('one a minute per number: of 20 parallel requests one is sent, the rest told when to ask again', async () => {
    const phone = freshPhone();
    const results = await inParallel(Array.from({ length: 20 }), 20, () => client().sendCode(phone));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    const refused = results.filter((result) => result.status === 429);
    expect(refused).toHaveLength(19);
    expect(refused[0]!.body).toMatchObject({ code: 'SMS_TOO_SOON', retryAfterSeconds: expect.any(Number) });
    expect(await delivered(phone)).toBe(1);
  });

  it('five an hour and ten a day per number, each minute asked for in parallel from many addresses', async () => {
    const phone = freshPhone();
    const minute = async (seconds: number) => {
      after(seconds);
      const results = await inParallel(Array.from({ length: 6 }), 6, () => client().sendCode(phone));
      return results.filter((result) => result.status === 200).length;
    };
    for (let i = 0; i < 5; i += 1) expect(await minute(i * 61)).toBe(1);
    after(6 * 61);
    expect(await client().sendCode(phone)).toMatchObject({ status: 429, body: { code: 'SMS_SEND_LIMITED', scope: 'PHONE_HOUR' } });
    for (let i = 0; i < 5; i += 1) expect(await minute(3600 + i * 61)).toBe(1);
    after(2 * 3600);
    expect(await client().sendCode(phone)).toMatchObject({ status: 429, body: { code: 'SMS_SEND_LIMITED', scope: 'PHONE_DAY' } });
    expect(await delivered(phone)).toBe(10);
  });

  it('per client address: 30 numbers asked for in parallel from one address send six', async () => {
    const address = '10.9.9.9';
    const phones = Array.from({ length: 30 }, freshPhone);
    const results = await inParallel(phones, 30, (phone) => client(address).sendCode(phone));
    expect(results.filter((result) => result.status === 200)).toHaveLength(6);
    expect(results.filter((result) => result.status === 429 && result.body.code === 'SMS_SEND_LIMITED')).toHaveLength(24);
    // A refusal by the address takes nothing from the numbers: each may still get its code elsewhere.
    const refusedPhone = phones[results.findIndex((result) => result.status === 429)]!;
    expect((await client().sendCode(refusedPhone)).status).toBe(200);
  });

  it('gives back what a refused send took: the provider’s refusal costs the number nothing', async () => {
    const phone = freshPhone();
    await simulatorControl(server.simulatorUrl, 'POST', '/sim/sms/faults', { refuse: { code: 'LimitExceeded.PhoneNumberDailyLimit', count: 1 } });
    expect(await client().sendCode(phone)).toMatchObject({ status: 429, body: { code: 'SMS_SEND_LIMITED', scope: 'PROVIDER' } });
    expect((await client().sendCode(phone)).status).toBe(200);
  });

  it('answers 503 SMS_UNAVAILABLE when the SMS package is used up', async () => {
    await simulatorControl(server.simulatorUrl, 'POST', '/sim/sms/faults', { quotaExceeded: true });
    expect(await client().sendCode(freshPhone())).toMatchObject({ status: 503, body: { code: 'SMS_UNAVAILABLE' } });
  });
});

describe('the same answer for known and unknown numbers', () => {
  it('sending and a wrong code answer alike for a shopper’s number and a stranger’s', async () => {
    const known = freshPhone();
    const shopper = client();
    await shopper.sendCode(known);
    expect((await shopper.signIn(known, (await smsCodeAt(server.simulatorUrl, known)).code)).status).toBe(200);
    after(61);

    const unknown = freshPhone();
    const [toKnown, toUnknown] = [await client().sendCode(known), await client().sendCode(unknown)];
    expect(toKnown).toEqual(toUnknown);
    const [wrongKnown, wrongUnknown] = [await client().signIn(known, '000000'), await client().signIn(unknown, '000000')];
    // Unless a guess hit the real code (one in a million), both are the same refusal.
    expect(wrongKnown).toEqual(wrongUnknown);
    const [neverSent, expired] = [await client().signIn(freshPhone(), '123456'), await client().signIn(unknown, '123456')];
    expect(neverSent.body.code).toBe(expired.body.code);
  });
});

describe('the shop’s daily SMS budget', () => {
  let budgeted: TestServer;
  beforeAll(async () => {
    budgeted = await startTestServer({ seed: false, simulatorUrl: server.simulatorUrl, env: { TRUSTED_PROXY_HOPS: '1', SMS_PRICE_FEN: '5', SMS_DAILY_BUDGET_FEN: '35' } });
  });
  afterAll(() => budgeted.stop());

  it('holds under 40 parallel sends to 40 numbers from 40 addresses: seven go out, the rest are refused', async () => {
    const phones = Array.from({ length: 40 }, freshPhone);
    const results = await inParallel(phones, 40, async (phone, index) => {
      const response = await fetch(`${budgeted.url}/api/auth/sms-code`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.7.0.${index}` }, body: JSON.stringify({ phone }) });
      return { status: response.status, body: (await response.json()) as { code?: string } };
    });
    expect(results.filter((result) => result.status === 200)).toHaveLength(7);
    expect(results.filter((result) => result.status === 503 && result.body.code === 'SMS_UNAVAILABLE')).toHaveLength(33);
    let sent = 0;
    for (const phone of phones) sent += await delivered(phone);
    expect(sent).toBe(7);
  });
});
