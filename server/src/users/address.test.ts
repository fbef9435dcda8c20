import { Types } from 'mongoose';
import type { Address, AddressInput } from '@blindbox/shared';
import { apiClient } from '../../test/support/api-client';
import { startTestServer } from '../../test/support/test-server';
import { findUserAddress, MAX_ADDRESSES_PER_USER } from './address.service';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof apiClient>;

let server: TestServer;
let alice: Client;
let bob: Client;
let aliceId: string;
let bobId: string;

const home: AddressInput = { name: '张三', phone: '13800138000', region: '浙江省 杭州市 西湖区', detail: '文三路 100 号 1 单元 101' };

async function loggedIn(code: string): Promise<{ client: Client; userId: string }> {
  const token = await server.login(code);
  return { client: apiClient(server.url, token), userId: server.container.sessions.verify(token)!.userId };
}

async function createAddress(client: Client, input: AddressInput = home): Promise<string> {
  const { status, body } = await client.post<Address>('/api/addresses', input);
  expect(status).toBe(201);
  return body.id;
}

beforeAll(async () => {
  server = await startTestServer({ seed: false });
  ({ client: alice, userId: aliceId } = await loggedIn('dev-address-alice'));
  ({ client: bob, userId: bobId } = await loggedIn('dev-address-bob'));
});
afterAll(() => server.stop());

describe('addresses', () => {
  it('creates, lists, updates and deletes the user’s own addresses', async () => {
    const created = await alice.post('/api/addresses', { ...home, name: '  张三  ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...home, id: expect.stringMatching(/^[a-f0-9]{24}$/) });
    const id = (created.body as Address).id;

    expect((await alice.get('/api/addresses')).body).toEqual({ items: [{ ...home, id }] });

    const updated = await alice.put(`/api/addresses/${id}`, { ...home, detail: '文一路 8 号' });
    expect(updated).toEqual({ status: 200, body: { ...home, detail: '文一路 8 号', id } });

    expect((await alice.delete(`/api/addresses/${id}`)).status).toBe(204);
    expect((await alice.get('/api/addresses')).body).toEqual({ items: [] });
    expect((await alice.delete(`/api/addresses/${id}`)).status).toBe(404);
  });

  it('validates the address with the shared schema', async () => {
    // Each refusal names the fields at fault, for the client to mark them in its own words.
    for (const [bad, fields] of [
      [{ ...home, phone: '12345' }, 'phone'],
      [{ ...home, name: '   ' }, 'name'],
      [{ ...home, detail: 'x'.repeat(201) }, 'detail'],
      [{ name: home.name, phone: home.phone }, 'region,detail'],
    ] as const) {
      const response = await alice.post('/api/addresses', bad);
      expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR', fields } });
    }
    const id = await createAddress(alice);
    expect((await alice.put(`/api/addresses/${id}`, { ...home, phone: 'not a phone' })).status).toBe(400);
    await alice.delete(`/api/addresses/${id}`);
  });

  it('refuses line breaks and control characters in every typed field, with a Chinese message naming the field', async () => {
    const hostile = [
      ['detail', '世纪大道 1 号\norder 000000000000000000000000  paid 2026-01-01\n  ship to 李四 13900000000  北京市 假地址'],
      ['detail', '1 号\r\n'.repeat(2) + '2 号'],
      ['name', '张三\u001b]0;pwned\u0007'],
      ['region', '上海市\u001b[2J\u001b[H'],
      ['name', '张\u202e三'],
      ['detail', '1 号\t2 号'],
      ['region', '上海\u2028市'],
    ] as const;
    const labels = { name: '收货人', region: '所在地区', detail: '详细地址' };
    for (const [field, value] of hostile) {
      const response = await alice.post<{ code: string; message: string }>('/api/addresses', { ...home, [field]: value });
      expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
      expect(response.body.message).toContain(`${labels[field]}不能包含换行`);
    }
    expect((await alice.post<{ message: string }>('/api/addresses', { ...home, phone: '123' })).body.message).toContain('手机号须为 11 位');
    expect((await alice.post<{ message: string }>('/api/addresses', { ...home, name: ' ' })).body.message).toContain('请填写收货人');
    const id = await createAddress(alice);
    expect((await alice.put(`/api/addresses/${id}`, { ...home, detail: 'a\u0007b' })).status).toBe(400);
    // Line breaks at either end are trimmed away, not refused.
    expect((await alice.put(`/api/addresses/${id}`, { ...home, detail: '\n文三路 100 号\n' })).body).toMatchObject({ detail: '文三路 100 号' });
    expect((await alice.get('/api/addresses')).body).toEqual({ items: [{ ...home, detail: '文三路 100 号', id }] });
    await alice.delete(`/api/addresses/${id}`);
  });

  it('answers 400 INVALID_ID for an id that is not an ObjectId', async () => {
    expect(await alice.put('/api/addresses/not-an-id', home)).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
    expect(await alice.delete('/api/addresses/not-an-id')).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
  });

  it('hides one user’s addresses from another: 404, never 403', async () => {
    const id = await createAddress(alice);

    expect((await bob.get('/api/addresses')).body).toEqual({ items: [] });
    expect(await bob.put(`/api/addresses/${id}`, home)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await bob.delete(`/api/addresses/${id}`)).status).toBe(404);
    expect((await alice.get('/api/addresses')).body).toEqual({ items: [{ ...home, id }] });
    await alice.delete(`/api/addresses/${id}`);
  });

  it(`allows at most ${MAX_ADDRESSES_PER_USER} addresses per user, also when creates race`, async () => {
    const { client: hoarder } = await loggedIn('dev-address-hoarder');
    const results = await Promise.all(
      Array.from({ length: MAX_ADDRESSES_PER_USER + 5 }, (_, index) => hoarder.post('/api/addresses', { ...home, detail: `门牌 ${index}` })),
    );
    const created = results.filter((result) => result.status === 201).length;
    expect(created).toBeLessThanOrEqual(MAX_ADDRESSES_PER_USER);
    for (const refused of results.filter((result) => result.status !== 201)) {
      expect(refused).toMatchObject({ status: 409, body: { code: 'ADDRESS_LIMIT' } });
    }
    // A racing create may be refused early; sequential creates fill the remaining room exactly.
    for (let count = created; count < MAX_ADDRESSES_PER_USER; count += 1) await createAddress(hoarder);
    expect((await hoarder.post('/api/addresses', home)).status).toBe(409);
    expect((await hoarder.get<{ items: Address[] }>('/api/addresses')).body.items).toHaveLength(MAX_ADDRESSES_PER_USER);
  });
});

describe('findUserAddress', () => {
  it('returns the owner’s address fields and null for anyone else, an unknown id or a bad id', async () => {
    const id = await createAddress(alice);
    const { db } = server.container;

    expect(await findUserAddress(db, aliceId, id)).toEqual(home);
    expect(await findUserAddress(db, new Types.ObjectId(aliceId), new Types.ObjectId(id))).toEqual(home);
    expect(await findUserAddress(db, bobId, id)).toBeNull();
    expect(await findUserAddress(db, aliceId, 'not-an-id')).toBeNull();
    expect(await findUserAddress(db, aliceId, new Types.ObjectId().toHexString())).toBeNull();
  });
});
