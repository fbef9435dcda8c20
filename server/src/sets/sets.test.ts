import { Types } from 'mongoose';
import { verifySet, type BoxPage, type BoxSet, type Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { buyer } from '../../test/fault/fault-support';
import { inParallel } from '../../test/support/in-parallel';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, expireInDb, orderDoc } from '../../test/support/job-test-support';
import { payAndWait, setBoxWithSets, type PlacedOrNot } from '../../test/support/sets';
import { stockDatabase } from '../db/databases';
import { positionHoldModel } from './position-hold.model';
import { boxSetModel } from './set.model';
import { boxModel } from '../catalog/box.model';
import { runAdminCommand } from '../admin/run-admin-command';
import { describeVerifiedSet, verifySetJson } from '../../tools/verify-draw';

// Sweeps every second, so expired holds come back within the test; reconciliation stays out of the way.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});

const grid = async (setId: string) => (await fetch(`${server.url}/api/sets/${setId}`).then((response) => response.json())) as BoxSet;
const pick = (boxId: string, setId: string, positions: number[]) => ({ boxId, quantity: positions.length, setPick: { setId, positions } });
const wholeSet = (boxId: string, setId: string, positions: number) => ({ boxId, quantity: positions, setPick: { setId, wholeSet: true as const } });

test('500 shoppers tapping the same position at once: exactly one holds it and buys it, the others get 409 POSITION_TAKEN', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 12, 1);
  const setId = setIds[0]!;
  const shoppers = await inParallel(Array.from({ length: 500 }, (_, i) => i), 25, (i) => buyer(server, `dev-set-tap-${i}`));
  const answers = await Promise.all(shoppers.map((s) => s.api.post<PlacedOrNot['body']>('/api/orders', { items: [pick(boxId, setId, [7])], addressId: s.addressId })));

  const won = answers.filter((answer) => answer.status === 201);
  expect(won).toHaveLength(1);
  const lost = answers.filter((answer) => answer.status !== 201);
  expect(new Set(lost.map((answer) => `${answer.status} ${answer.body.code}`))).toEqual(new Set(['409 POSITION_TAKEN']));
  expect((await grid(setId)).grid[7]).toBe('HELD');

  const winner = shoppers[answers.indexOf(won[0]!)]!;
  const paid = await payAndWait(server, winner.api, won[0]!.body.id);
  expect(paid.draws.map((draw) => draw.set?.position)).toEqual([7]);
  await waitUntil(async () => ((await grid(setId)).grid[7] === 'SOLD' ? true : null), 10_000, 'the position to be sold');
  const holds = await positionHoldModel(stockDatabase(server.container.db)).find({ setId: new Types.ObjectId(setId) }).lean();
  expect(holds.map((hold) => [hold.position, hold.state, hold.orderId.toHexString()])).toEqual([[7, 'SOLD', won[0]!.body.id]]);
  expect((await grid(setId)).sold).toBe(1);
}, 180_000);

test('a whole-set purchase racing single picks in the same second: either the whole set or the single picks, never both, no position sold twice', async () => {
  const positions = 4;
  const rounds = 8;
  const { boxId, setIds } = await setBoxWithSets(server, positions, rounds);
  const whole = await buyer(server, 'dev-set-whole');
  const singles = await Promise.all(Array.from({ length: positions }, (_, i) => buyer(server, `dev-set-single-${i}`)));
  for (const setId of setIds) {
    // Singles from the top position down, so they meet the whole-set order in every possible overlap.
    const [wholeAnswer, ...singleAnswers] = await Promise.all([
      whole.api.post<PlacedOrNot['body']>('/api/orders', { items: [wholeSet(boxId, setId, positions)], addressId: whole.addressId }),
      ...singles.map((s, i) => s.api.post<PlacedOrNot['body']>('/api/orders', { items: [pick(boxId, setId, [positions - 1 - i])], addressId: s.addressId })),
    ]);
    const singleWins = singleAnswers.filter((answer) => answer.status === 201);
    for (const answer of [wholeAnswer!, ...singleAnswers]) if (answer.status !== 201) expect([answer.status, answer.body.code]).toEqual([409, 'POSITION_TAKEN']);
    if (wholeAnswer!.status === 201) {
      expect(singleWins).toHaveLength(0);
    } else {
      expect(singleWins.length).toBeGreaterThan(0);
    }

    // Everyone who got an order pays: each position is sold to the one order that held it, once.
    const placed = [wholeAnswer!, ...singleAnswers].map((answer, i) => ({ answer, api: i === 0 ? whole.api : singles[i - 1]!.api })).filter(({ answer }) => answer.status === 201);
    const paid = await Promise.all(placed.map(({ answer, api }) => payAndWait(server, api, answer.body.id)));
    const soldPositions = paid.flatMap((order) => order.draws.map((draw) => draw.set!.position));
    expect(new Set(soldPositions).size).toBe(soldPositions.length);
    await waitUntil(async () => ((await grid(setId)).sold === soldPositions.length ? true : null), 10_000, 'the sales to be recorded');
    const holds = await positionHoldModel(stockDatabase(server.container.db)).find({ setId: new Types.ObjectId(setId), state: 'SOLD' }).lean();
    expect(holds.map((hold) => hold.position).sort()).toEqual([...soldPositions].sort());
    for (const order of paid) for (const draw of order.draws) expect(holds.find((hold) => hold.position === draw.set!.position)?.orderId.toHexString()).toBe(order._id.toHexString());
  }
}, 180_000);

test('a sold-out set publishes an arrangement that matches its commitment and every sale; altering one sale fails the verifier', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 5, 1, 1);
  const setId = setIds[0]!;
  const before = await grid(setId);
  expect(before).toMatchObject({ state: 'ON_SALE', arrangement: null, salt: null, sales: null, positions: 5 });
  const [amy, ben] = await Promise.all([buyer(server, 'dev-set-verify-amy'), buyer(server, 'dev-set-verify-ben')]);
  const first = await amy.orderNow([pick(boxId, setId, [0, 3])]);
  const second = await ben.orderNow([pick(boxId, setId, [1, 2, 4])]);
  const paid = [await payAndWait(server, amy.api, first.id), await payAndWait(server, ben.api, second.id)];

  const revealed = await waitUntil(async () => {
    const set = await grid(setId);
    return set.state === 'SOLD_OUT' ? set : null;
  }, 10_000, 'the set to sell out');
  expect(revealed.commitment).toBe(before.commitment);
  expect(revealed.arrangement).toHaveLength(5);
  // secretEvery 1: every set has its secret design in place of one regular one.
  expect(revealed.arrangement!.filter((productId) => productId.endsWith('-secret'))).toHaveLength(1);
  expect(verifySet(revealed)).toEqual({ ok: true });
  for (const order of paid) for (const draw of order.draws) expect(revealed.arrangement![draw.set!.position]).toBe(draw.productId);
  expect(revealed.sales!.map((sale) => sale.position)).toEqual([0, 1, 2, 3, 4]);

  const altered = { ...revealed, sales: revealed.sales!.map((sale, i) => (i === 2 ? { ...sale, productId: revealed.arrangement![(i + 1) % 5]! } : sale)) };
  expect(verifySet(altered)).toEqual({ ok: false, reason: 'SALE_MISMATCH', position: 2 });
  expect(verifySet({ ...revealed, salt: `${revealed.salt!}0` })).toMatchObject({ ok: false, reason: 'COMMITMENT_MISMATCH' });
  // The standalone verifier reads the set as the endpoint returned it.
  expect(describeVerifiedSet(verifySetJson(JSON.parse(JSON.stringify(revealed))))).toMatch(/^OK .* 5 sale\(s\) match/);
  expect(describeVerifiedSet(verifySetJson(JSON.parse(JSON.stringify(altered))))).toMatch(/^MISMATCH .*: SALE_MISMATCH at position 2$/);
});

/** Every {position, productId} pair anywhere in a JSON answer. */
function positionDesigns(value: unknown, found: Array<{ position: number; productId: string }> = []) {
  if (Array.isArray(value)) for (const entry of value) positionDesigns(entry, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const where = (record.set as { position?: unknown } | undefined)?.position ?? record.position;
    if (typeof where === 'number' && typeof record.productId === 'string') found.push({ position: where, productId: record.productId });
    for (const entry of Object.values(record)) positionDesigns(entry, found);
  }
  return found;
}

test('no endpoint shows the design of an unsold position before the set is revealed (raw answers of box, set, order, orders, collection, fairness)', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 4, 1);
  const setId = setIds[0]!;
  const stored = (await boxSetModel(server.container.db).findById(setId).lean())!;
  const [cleo, dan] = await Promise.all([buyer(server, 'dev-set-leak-cleo'), buyer(server, 'dev-set-leak-dan')]);
  const paidOrder = await cleo.orderNow([pick(boxId, setId, [2])]);
  await payAndWait(server, cleo.api, paidOrder.id);
  const heldOrder = await dan.orderNow([pick(boxId, setId, [0])]);
  await waitUntil(async () => ((await grid(setId)).sold === 1 ? true : null), 10_000, 'the sale to be recorded');

  const raw = async (path: string, token?: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect(response.status).toBe(200);
    return response.text();
  };
  const answers = [
    await raw('/api/boxes'),
    await raw(`/api/boxes/${boxId}`),
    await raw(`/api/boxes/${boxId}/sets/current`),
    await raw(`/api/boxes/${boxId}/sets`),
    await raw(`/api/sets/${setId}`),
    await raw(`/api/boxes/${boxId}/fairness`),
    ...(await Promise.all(
      [cleo, dan].flatMap((s) => [raw('/api/orders', s.token), raw('/api/me/collection', s.token), raw(`/api/me/guarantee/${boxId}`, s.token)]),
    )),
    await raw(`/api/orders/${paidOrder.id}`, cleo.token),
    await raw(`/api/orders/${heldOrder.id}`, dan.token),
  ];
  for (const text of answers) {
    expect(text).not.toContain(stored.salt);
    // `series` lists the designs in catalog order, which a shuffle keeps 1 time in 24 here: it is not the arrangement.
    expect(JSON.stringify(JSON.parse(text), (key, value: unknown) => (key === 'series' ? undefined : value))).not.toContain(JSON.stringify(stored.arrangement));
    expect(text).not.toMatch(/"arrangement":\[/);
    // The only design tied to a position anywhere is the one Cleo paid for, at her position.
    for (const found of positionDesigns(JSON.parse(text))) expect(found).toEqual({ position: 2, productId: stored.arrangement[2] });
  }
  expect(answers.some((text) => positionDesigns(JSON.parse(text)).length > 0)).toBe(true);

  // The held position is no one's design yet: only whether it is taken.
  expect((await grid(setId)).grid).toEqual(['HELD', 'FREE', 'SOLD', 'FREE']);
});

test('expired held positions come back exactly once, can be picked again, and a late release never frees the next holder', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 3, 1);
  const setId = setIds[0]!;
  const [slow, next] = await Promise.all([buyer(server, 'dev-set-slow'), buyer(server, 'dev-set-next')]);
  const unpaid = await slow.orderNow([pick(boxId, setId, [0, 1])]);
  expect((await grid(setId)).grid).toEqual(['HELD', 'HELD', 'FREE']);
  expect((await next.api.post<{ code: string }>('/api/orders', { items: [pick(boxId, setId, [1])], addressId: next.addressId })).body.code).toBe('POSITION_TAKEN');

  await expireInDb(server, unpaid.id);
  await positionHoldModel(stockDatabase(server.container.db)).updateMany({ orderId: new Types.ObjectId(unpaid.id) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
  await waitUntil(async () => ((await orderDoc(server, unpaid.id)).releasedAt ? true : null), 15_000, 'the sweep to close and release the order');
  expect((await grid(setId)).grid).toEqual(['FREE', 'FREE', 'FREE']);

  // Releasing again (by hand, and by the leftover sweep) gives nothing back a second time.
  const sets = server.container.sets;
  const closed = await orderDoc(server, unpaid.id);
  expect(await sets.release(closed._id, closed.items)).toBe(0);
  await server.container.holds.sweep(new Date(Date.now() + 3600_000), 500);

  const again = await next.orderNow([pick(boxId, setId, [1])]);
  expect(await sets.release(closed._id, closed.items)).toBe(0);
  await server.container.holds.sweep(new Date(), 500);
  expect((await grid(setId)).grid).toEqual(['FREE', 'HELD', 'FREE']);
  const hold = await positionHoldModel(stockDatabase(server.container.db)).findById(`${setId}:1`).lean();
  expect(hold).toMatchObject({ state: 'HELD', orderId: new Types.ObjectId(again.id) });
});

test('a position held for an order that was never stored (creation crashed) goes back once the sweep judges it abandoned', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 2, 1);
  const setId = new Types.ObjectId(setIds[0]);
  const orphan = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600);
  const Hold = positionHoldModel(stockDatabase(server.container.db));
  await Hold.create({ _id: `${setIds[0]}:1`, setId, boxId: new Types.ObjectId(boxId), position: 1, orderId: orphan, state: 'HELD', expiresAt: new Date(Date.now() - 60_000), updatedAt: new Date() });
  expect((await grid(setIds[0]!)).grid).toEqual(['FREE', 'HELD']);
  await server.container.holds.sweep(new Date(), 500);
  expect((await grid(setIds[0]!)).grid).toEqual(['FREE', 'FREE']);
  expect(await Hold.findById(`${setIds[0]}:1`).lean()).toMatchObject({ state: 'RELEASED', orderId: orphan });
});

test('a pick must name positions of a set of its own box, as many as its quantity; a weighted box takes none', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 3, 1);
  const other = await setBoxWithSets(server, 3, 1);
  const eve = await buyer(server, 'dev-set-rules');
  const place = (items: unknown[]) => eve.api.post<{ code: string }>('/api/orders', { items, addressId: eve.addressId });
  expect((await place([{ boxId, quantity: 1 }])).body.code).toBe('INVALID_SET_PICK');
  expect((await place([{ boxId, quantity: 2, setPick: { setId: setIds[0], positions: [0] } }])).body.code).toBe('INVALID_SET_PICK');
  expect((await place([pick(boxId, setIds[0]!, [3])])).body.code).toBe('INVALID_SET_PICK');
  expect((await place([pick(boxId, other.setIds[0]!, [0])])).status).toBe(404);
  expect((await place([{ boxId, quantity: 1, setPick: { setId: setIds[0], positions: [0], wholeSet: true } }])).body.code).toBe('VALIDATION_ERROR');
  const weighted = (await eve.api.get<BoxPage>('/api/boxes?pageSize=50')).body.items.find((box) => box.saleMode === 'WEIGHTED')!.id;
  expect((await place([{ boxId: weighted, quantity: 1, setPick: { setId: setIds[0], positions: [0] } }])).body.code).toBe('INVALID_SET_PICK');
  // Nothing was held by any refused order.
  expect((await grid(setIds[0]!)).grid).toEqual(['FREE', 'FREE', 'FREE']);
});

test('retiring a set publishes it and ends its sale, but not while a position is held; the shopper moves on to the next set', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 2, 2);
  const [first, second] = setIds as [string, string];
  const sets = server.container.sets;
  const fay = await buyer(server, 'dev-set-retire');
  const order = await fay.orderNow([pick(boxId, first, [0])]);
  await expect(sets.retire(new Types.ObjectId(first))).rejects.toMatchObject({ code: 'SET_BUSY' });
  expect((await grid(first)).state).toBe('ON_SALE');
  await fay.api.post<Order>(`/api/orders/${order.id}/cancel`);

  await sets.retire(new Types.ObjectId(first));
  const retired = await grid(first);
  expect(retired).toMatchObject({ state: 'RETIRED', free: 0, sales: [] });
  expect(verifySet(retired)).toEqual({ ok: true });
  expect((await fay.api.post<{ code: string }>('/api/orders', { items: [pick(boxId, first, [1])], addressId: fay.addressId })).body.code).toBe('SET_NOT_ON_SALE');
  const current = (await fetch(`${server.url}/api/boxes/${boxId}/sets/current`).then((response) => response.json())) as BoxSet;
  expect(current.id).toBe(second);

  // With no set left on sale the grid says so, rather than that the box has no sets (once the open sets the
  // route shares for a moment are looked up again).
  await sets.retire(new Types.ObjectId(second));
  const none = await waitUntil(async () => {
    const response = await fetch(`${server.url}/api/boxes/${boxId}/sets/current`);
    return response.status === 200 ? null : [response.status, ((await response.json()) as { code: string }).code];
  }, 15_000, 'the open sets to be looked up again');
  expect(none).toEqual([409, 'SETS_SOLD_OUT']);
});

test('one set of every N has the secret design, each set a fresh shuffle with its own salt', async () => {
  const { boxId } = await setBoxWithSets(server, 6, 0, 3);
  await server.container.sets.create(new Types.ObjectId(boxId), 12);
  const stored = await boxSetModel(server.container.db).find({ boxId: new Types.ObjectId(boxId) }).sort({ number: 1 }).lean();
  expect(stored.map((set) => set.number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  for (let block = 0; block < 4; block++) {
    const sets = stored.slice(block * 3, block * 3 + 3);
    expect(sets.filter((set) => set.hasSecret)).toHaveLength(1);
    for (const set of sets) expect(set.arrangement.filter((productId) => productId.endsWith('-secret'))).toHaveLength(set.hasSecret ? 1 : 0);
  }
  expect(new Set(stored.map((set) => set.salt)).size).toBe(12);
  expect(new Set(stored.map((set) => set.commitment)).size).toBe(12);
});

test('admin: sets create, list (sold / held / free), retire (publishes the arrangement; needs --yes outside a terminal)', async () => {
  const { boxId } = await setBoxWithSets(server, 3, 0);
  const { slug } = (await boxModel(server.container.db).findById(boxId).lean())!;
  const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'sets-test' });
  const created = await admin('sets', 'create', slug, '--count', '2', '--json');
  expect(created.exitCode).toBe(0);
  const rows = JSON.parse(created.output) as Array<{ id: string; number: number; commitment: string }>;
  expect(rows.map((row) => row.number)).toEqual([1, 2]);

  const gus = await buyer(server, 'dev-set-admin');
  await gus.orderNow([pick(boxId, rows[0]!.id, [1])]);
  const listed = await admin('sets', 'list', slug);
  expect(listed.output).toContain(`#1 ${rows[0]!.id} ON_SALE  sold 0 · held 1 · free 2  ${rows[0]!.commitment}`);
  expect(listed.output).toContain(`#2 ${rows[1]!.id} ON_SALE  sold 0 · held 0 · free 3`);

  expect((await admin('sets', 'retire', rows[1]!.id)).exitCode).toBe(2);
  const retired = await admin('sets', 'retire', rows[1]!.id, '--yes');
  expect(retired.exitCode).toBe(0);
  expect(retired.output).toMatch(/set #2 RETIRED: arrangement \[.+\], salt [0-9a-f]{32}/);
  const busy = await admin('sets', 'retire', rows[0]!.id, '--yes');
  expect([busy.exitCode, busy.output]).toEqual([1, expect.stringContaining('SET_BUSY')]);
  expect((await admin('sets', 'create', 'no-such-box', '--count', '1')).exitCode).toBe(1);
  expect((await admin('sets', 'create', slug)).exitCode).toBe(2);
});
