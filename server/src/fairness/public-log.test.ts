import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Types } from 'mongoose';
import type { DrawLogPage, Order, SeedHistoryPage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { payAndWait, setBoxWithSets } from '../../test/support/sets';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { itemStock } from '../catalog/item-stock';
import { boxSetModel } from '../sets/set.model';
import type { OrderDoc } from '../orders/order.model';
import { verifyBoxFromServer } from '../../tools/verify-draw';
import { serverSeedModel } from './fairness.model';
import { drawLogModel } from './draw-log.model';

const VERIFIER = path.resolve(__dirname, '../../../tools/verify_draws.py');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** The Python verifier (written from docs/fairness.md alone) run on the box's live public log. */
async function python(boxId: string): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await promisify(execFile)('python3', [VERIFIER, '--server', server.url, '--box', boxId]);
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, lines: failed.stdout.trim().split('\n') };
  }
}

/** Retires the box's seed in use and lets every payment window that took it pass: its seed is revealed. */
async function revealSeeds(boxId: string): Promise<void> {
  expect((await runAdminCommand(server.container, ['rotate-seed', boxId])).exitCode).toBe(0);
  await serverSeedModel(server.container.db).updateMany({ boxId: new Types.ObjectId(boxId), retiredAt: { $ne: null } }, { $set: { lastOrderExpiresAt: new Date(Date.now() - 1000) } });
}

test('a sold-out box\'s public log recomputes every draw with npm run verify-draw and with the Python verifier; it names no shopper or order, and a changed entry is caught', async () => {
  const file = boxFile(
    'log',
    { 'log-common': { rarity: 'COMMON', weight: 70, stock: 7 }, 'log-rare': { rarity: 'RARE', weight: 20, stock: 4 }, 'log-epic': { rarity: 'EPIC', weight: 10, stock: 3 } },
    { guarantee: { minRarity: 'EPIC', within: 3 } },
  );
  expect((await runAdminCommand(server.container, ['box', 'import', await catalogDir([file])], { osUser: 'log-test' })).exitCode).toBe(0);
  const boxId = (await boxModel(server.container.db).findOne({ slug: 'log' }).lean())!._id.toHexString();
  const buyers = await Promise.all([0, 1, 2].map((i) => shopper(server, `dev-log-${i}`)));
  const docs: OrderDoc[] = [];
  for (let round = 0; round < 20; round++) {
    const placed = await Promise.all(
      buyers.map(async (buyer, i) => {
        const { status, body } = await buyer.api.post<Order>('/api/orders', { items: [{ boxId, quantity: 1 + ((round + i) % 2) }], addressId: (await buyer.address()).id });
        return status === 201 ? { buyer, order: body } : null;
      }),
    );
    if (placed.every((entry) => entry === null)) break;
    // Paid together: the draws of different shoppers interleave in the log.
    await Promise.all(
      placed.map(async (entry) => {
        if (!entry) return;
        await payAtSimulator(server.simulatorUrl, prepayIdOf((await entry.buyer.payJsapi(entry.order.id)).package));
        docs.push(await waitUntil(async () => {
          const doc = await orderDoc(server, entry.order.id);
          // Its draws join the log right after the callback's answer: once the settle mark is cleared.
          return doc.status === 'TO_BE_PAID' || doc.settleDueAt ? null : doc;
        }, 60_000, 'paid and logged'));
      }),
    );
  }
  expect((await itemStock(server.container.db).counts(new Types.ObjectId(boxId)))?.['log-epic']).toBe(0);
  const drawn = docs.flatMap((doc) => doc.draws);

  // Before the reveal the log is public already, seeds pending: nothing can be recomputed yet.
  const early = await verifyBoxFromServer(server.url, boxId);
  expect(early.entries).toHaveLength(drawn.length);
  expect(early.ok).toBe(false);
  expect(early.lines.some((line) => line.startsWith('PENDING'))).toBe(true);

  await revealSeeds(boxId);
  const checked = await verifyBoxFromServer(server.url, boxId);
  expect(checked.lines.filter((line) => line.startsWith('MISMATCH') || line.startsWith('PENDING'))).toEqual([]);
  expect(checked.ok).toBe(true);
  expect(checked.entries.map((entry) => entry.seq)).toEqual(checked.entries.map((_, i) => i + 1));
  // Every unit sold is in the log, once; three shoppers, each with their own numbered lines.
  expect(checked.entries.map((entry) => entry.productId).sort()).toEqual(drawn.map((draw) => draw.productId).sort());
  expect(new Set(checked.entries.map((entry) => entry.shopper)).size).toBe(3);
  const agreed = await python(boxId);
  expect(agreed.lines.filter((line) => line.startsWith('OK'))).toHaveLength(drawn.length);
  expect(agreed.code).toBe(0);

  // Anonymised: the download names no order, account or openid.
  const download = await fetch(`${server.url}/api/fairness/boxes/${boxId}/draws.jsonl`);
  expect(download.headers.get('content-type')).toContain('application/x-ndjson');
  const text = await download.text();
  expect(text.trim().split('\n')).toHaveLength(drawn.length);
  for (const doc of docs) for (const secret of [doc._id.toHexString(), doc.userId.toHexString(), doc.openid]) expect(text).not.toContain(secret);

  // Paged by cursor: two entries a page, all of them once, in order.
  const paged: number[] = [];
  for (let after = 0; ; ) {
    const page = (await (await fetch(`${server.url}/api/fairness/boxes/${boxId}/draws?limit=2&after=${after}`)).json()) as DrawLogPage;
    paged.push(...page.items.map((entry) => entry.seq));
    if (page.nextAfter === null) break;
    after = page.nextAfter;
  }
  expect(paged).toEqual(checked.entries.map((entry) => entry.seq));
  const seeds = (await (await fetch(`${server.url}/api/fairness/boxes/${boxId}/seeds?limit=1`)).json()) as SeedHistoryPage;
  expect([seeds.items.length, seeds.nextBefore]).toEqual([1, seeds.items[0]!.generation]);

  // A recorded outcome changed after the fact is caught by both verifiers.
  const first = checked.entries[0]!;
  const other = first.products.find((product) => product.productId !== first.productId)!.productId;
  await drawLogModel(server.container.db).updateOne({ boxId: new Types.ObjectId(boxId), seq: first.seq }, { $set: { productId: other } });
  expect((await verifyBoxFromServer(server.url, boxId)).lines.filter((line) => line.startsWith('MISMATCH'))).toHaveLength(1);
  expect((await python(boxId)).code).toBe(1);
}, 300_000);

test('a sold-out 端盒: every set, its sales, the block rule and the retire rule check out in both verifiers; a set holding an unsold secret is never retired', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 4, 3, 3);
  const sets = boxSetModel(server.container.db);
  const secretSet = (await sets.findOne({ boxId: new Types.ObjectId(boxId), hasSecret: true }).lean())!;
  const plain = setIds.find((id) => id !== secretSet._id.toHexString())!;

  // The set holding the block's secret cannot be retired while the secret is unsold: refused, nothing changes.
  await expect(server.container.sets.retire(secretSet._id)).rejects.toMatchObject({ code: 'SET_SECRET_UNSOLD', kind: 'CONFLICT' });
  expect((await sets.findById(secretSet._id).lean())?.state).toBe('ON_SALE');

  // The secret's position sold: now it may be retired, and its arrangement is public at once.
  const secretAt = secretSet.arrangement.findIndex((productId) => productId.endsWith('-secret'));
  const fan = await shopper(server, 'dev-log-set-fan');
  const order = await fan.placeOrder([{ boxId, quantity: 1, setPick: { setId: secretSet._id.toHexString(), positions: [secretAt] } }]);
  await payAndWait(server, fan.api, order.id);
  await server.container.sets.retire(secretSet._id);
  const published = (await (await fetch(`${server.url}/api/fairness/boxes/${boxId}/sets`)).json()) as { items: Array<{ id: string; arrangement: string[] | null; secretEvery: number | null }> };
  expect(published.items.find((set) => set.id === secretSet._id.toHexString())).toMatchObject({ arrangement: secretSet.arrangement, secretEvery: 3 });

  // The other two sets sold out whole; a plain set may be retired any time (nothing left here to retire).
  for (const [i, setId] of setIds.filter((id) => id !== secretSet._id.toHexString()).entries()) {
    const buyer = await shopper(server, `dev-log-set-${i}`);
    await payAndWait(server, buyer.api, (await buyer.placeOrder([{ boxId, quantity: 4, setPick: { setId, wholeSet: true } }])).id);
  }
  expect((await server.container.sets.retire(new Types.ObjectId(plain))).state).toBe('SOLD_OUT');

  const checked = await verifyBoxFromServer(server.url, boxId);
  expect(checked.lines.filter((line) => !line.startsWith('OK') && !line.startsWith('box'))).toEqual([]);
  expect(checked.ok).toBe(true);
  expect(checked.lines.filter((line) => line.includes('block'))).toEqual([expect.stringContaining(`one secret, in set #${secretSet.number}`)]);
  const agreed = await python(boxId);
  expect(agreed.code).toBe(0);
  expect(agreed.lines.filter((line) => line.startsWith('OK'))).toHaveLength(4);

  // Had the secret been retired unsold, both verifiers would say so.
  const { boxId: other } = await setBoxWithSets(server, 3, 1, 1);
  const lone = (await sets.findOne({ boxId: new Types.ObjectId(other) }).lean())!;
  await sets.updateOne({ _id: lone._id }, { $set: { state: 'RETIRED', revealedAt: new Date() } });
  expect((await verifyBoxFromServer(server.url, other)).lines).toContainEqual(expect.stringMatching(/^MISMATCH.*retired with its secret design unsold/));
  expect((await python(other)).lines).toContainEqual(expect.stringMatching(/^MISMATCH.*retired with its secret unsold/));
}, 300_000);
