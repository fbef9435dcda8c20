import type { BindPhoneResponse, Box, BoxPage, Order, OrderPage } from '@blindbox/shared';
import { apiClient } from '../../test/support/api-client';
import { loginAt, startTestServer, type TestServer } from '../../test/support/test-server';
import { simulatorControl } from '../../test/support/shop';
import { freshPhone, phoneSignIn } from '../../test/support/phone';
import { userModel } from './user.model';
import { phoneBindingModel } from './phone-binding.model';

/**
 * One shopper on every screen: a number signed in on the web and bound in the mini-program (WeChat's phone
 * button, its code minted by the simulator as if the shopper tapped 允许) reach the same account, by the merge
 * rule of docs/phone-sign-in.md.
 */
let server: TestServer;
let box: Box;
let wechatUsers = 0;

beforeAll(async () => {
  // Two of a box per shopper: merging must not hand the mini-program a fresh allowance.
  server = await startTestServer({ env: { PURCHASE_LIMIT_PER_BOX: '2' } });
  box = (await apiClient(server.url).get<BoxPage>('/api/boxes')).body.items[0]!;
});
afterAll(() => server.stop());

/** A shopper's API with a session token, able to order (adult declared, an address on file). */
function as(token: string) {
  const api = apiClient(server.url, token);
  return {
    api,
    async declareAdult() {
      expect((await api.put('/api/me/age', { bracket: 'ADULT' })).status).toBe(200);
    },
    async order(): Promise<Order> {
      const address = await api.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' });
      const placed = await api.post<Order>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: address.body.id });
      expect(placed.status).toBe(201);
      return placed.body;
    },
    async orderIds(): Promise<string[]> {
      return (await api.get<OrderPage>('/api/orders')).body.items.map((order) => order.id).sort();
    },
    async bind(phone: string) {
      const { code } = (await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/phone-code', { phone })) as { code: string };
      return api.post<BindPhoneResponse & { code?: string }>('/api/me/phone', { code });
    },
  };
}

/** Each SMS sign-in a minute after the last (one code a minute per number). */
const signInByPhone = (phone: string) => {
  server.clock.setTo(new Date(server.clock.now().getTime() + 61_000));
  return phoneSignIn(server.url, server.simulatorUrl, phone);
};
const webShopper = async (phone: string) => {
  const session = await signInByPhone(phone);
  return { ...as(session.token), id: session.user.id };
};
const miniProgramShopper = async () => {
  const code = `dev-phone-binding-${(wechatUsers += 1)}-${Date.now()}`;
  const token = await loginAt(server.url, code, null);
  const login = await apiClient(server.url).post<{ user: { id: string } }>('/api/auth/login', { code });
  return { ...as(token), id: login.body.user.id, code };
};

it('gives a web account its client seed when the first sign-in makes it', async () => {
  const web = await webShopper(freshPhone());
  expect((await userModel(server.container.db).findById(web.id).lean())!.clientSeed).toMatch(/^[0-9a-f]{16}$/);
});

it('binds a number no one has: the web sign-in with it then reaches the mini-program account', async () => {
  const phone = freshPhone();
  const mini = await miniProgramShopper();
  const bound = await mini.bind(phone);
  expect(bound.status).toBe(200);
  expect(bound.body).toMatchObject({ merged: false, user: { id: mini.id }, phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` });
  expect((await signInByPhone(phone)).user.id).toBe(mini.id);
  // Binding it again is a no-op; another number is refused.
  expect((await mini.bind(phone)).body).toMatchObject({ merged: false, user: { id: mini.id } });
  expect((await mini.bind(freshPhone())).body.code).toBe('PHONE_ALREADY_BOUND');
});

it('folds a mini-program account without orders into the web account with them: same orders on both, WeChat login lands there too', async () => {
  const phone = freshPhone();
  const web = await webShopper(phone);
  await web.declareAdult();
  const order = await web.order();

  const mini = await miniProgramShopper();
  const bound = await mini.bind(phone);
  expect(bound.status).toBe(200);
  expect(bound.body).toMatchObject({ merged: true, user: { id: web.id } });
  const merged = as(bound.body.token);
  expect(await merged.orderIds()).toEqual([order.id]);
  // Ordering from the mini-program now counts against the web account's limits: one more of the box, then the limit.
  const fromMini = await merged.order();
  expect(await web.orderIds()).toEqual([order.id, fromMini.id].sort());
  const address = await merged.api.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' });
  const third = await merged.api.post<{ code: string }>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: address.body.id });
  expect(third.body.code).toBe('PURCHASE_LIMIT_REACHED');

  const again = await apiClient(server.url).post<{ user: { id: string } }>('/api/auth/login', { code: mini.code });
  expect(again.body.user.id).toBe(web.id);
  // The folded account's old session orders nothing more: its client signs in again and lands on the web account.
  const staleAddress = await mini.api.post<{ id: string }>('/api/addresses', { name: '李四', phone: '13800138001', region: '上海市 浦东新区', detail: '世纪大道 2 号' });
  const stale = await mini.api.post<{ code: string }>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: staleAddress.body.id });
  expect([stale.status, stale.body.code]).toEqual([401, 'ACCOUNT_MERGED']);
});

it('folds a web account without orders into the mini-program account with them', async () => {
  const phone = freshPhone();
  const web = await webShopper(phone);
  const mini = await miniProgramShopper();
  await mini.declareAdult();
  const order = await mini.order();

  const bound = await mini.bind(phone);
  expect(bound.body).toMatchObject({ merged: true, user: { id: mini.id } });
  expect((await signInByPhone(phone)).user.id).toBe(mini.id);
  expect(await as(bound.body.token).orderIds()).toEqual([order.id]);
  expect((await phoneBindingModel(server.container.db).findById(phone).lean())?.userId.toHexString()).toBe(mini.id);
  expect((await userModel(server.container.db).findById(web.id).lean())?.mergedInto?.toHexString()).toBe(mini.id);
});

it('refuses to merge two accounts that both have orders, and changes nothing', async () => {
  const phone = freshPhone();
  const web = await webShopper(phone);
  await web.declareAdult();
  await web.order();
  const mini = await miniProgramShopper();
  await mini.declareAdult();
  await mini.order();

  const bound = await mini.bind(phone);
  expect([bound.status, bound.body.code]).toEqual([409, 'ACCOUNTS_NOT_MERGEABLE']);
  expect((await signInByPhone(phone)).user.id).toBe(web.id);
  const users = await userModel(server.container.db).find({ _id: { $in: [web.id, mini.id] } }).lean();
  expect(users.map((user) => user.mergedInto ?? null)).toEqual([null, null]);
});

it('refuses a number another WeChat account has bound', async () => {
  const phone = freshPhone();
  const first = await miniProgramShopper();
  expect((await first.bind(phone)).status).toBe(200);
  const second = await miniProgramShopper();
  const bound = await second.bind(phone);
  expect([bound.status, bound.body.code]).toEqual([409, 'PHONE_BOUND_ELSEWHERE']);
});

it('refuses a phone code WeChat does not know or that was used', async () => {
  const mini = await miniProgramShopper();
  const { code } = (await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/phone-code', { phone: freshPhone() })) as { code: string };
  expect((await mini.api.post('/api/me/phone', { code })).status).toBe(200);
  const reused = await mini.api.post<{ code: string }>('/api/me/phone', { code });
  expect([reused.status, reused.body.code]).toEqual([400, 'INVALID_PHONE_CODE']);
});
