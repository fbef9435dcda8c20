import { Types } from 'mongoose';
import type { Box, DrawProof } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { drawProofOf } from '../fairness/draw-proof';
import { serverSeedModel } from '../fairness/fairness.model';
import { verifyProofs } from '../../tools/verify-draw';
import type { OrderDoc } from '../orders/order.model';
import { boxModel } from './box.model';
import { itemStock } from './item-stock';
import { itemTakeModel, stockModel } from './stock.model';
import { stockDatabase } from '../db/databases';
import { revealTimeOf } from '../fairness/server-seeds';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'stock-test' });
const auditCount = async () => (JSON.parse((await admin('audit', '--limit', '1000', '--json')).output) as unknown[]).length;

/** The order's "item takes" hold (orders/order-holds.ts). */
const itemTakes = () => server.container.holds.list.find((hold) => hold.name === 'item takes')!;
const counterOf = (boxId: Types.ObjectId) => stockModel(stockDatabase(server.container.db)).findById(boxId).lean();

async function importBox(...args: Parameters<typeof boxFile>): Promise<Types.ObjectId> {
  const result = await admin('box', 'import', await catalogDir([boxFile(...args)]));
  if (result.exitCode !== 0) throw new Error(result.output);
  return (await boxModel(server.container.db).findOne({ slug: args[0] }).lean())!._id;
}

/** Item counts, and the box's units: the counter stays Σ items − units held (nothing is paid and undrawn here). */
async function ledgerOf(boxId: Types.ObjectId) {
  const counts = (await itemStock(server.container.db).counts(boxId)) ?? {};
  const account = await server.container.stock.account(boxId);
  return { counts, ...account, items: Object.values(counts).reduce((sum, n) => sum + n, 0) };
}

test('an exhausted item is never drawn: a secret with 1 unit (weight 1,000,000 against 1) is drawn once in 20 paid units, and every proof verifies', async () => {
  const boxId = await importBox('scarce', { 'scarce-common': { rarity: 'COMMON', weight: 1, stock: 30 }, 'scarce-secret': { rarity: 'SECRET', weight: 1_000_000, stock: 1 } });
  const buyers = await Promise.all(Array.from({ length: 4 }, (_, i) => shopper(server, `dev-scarce-${i}`)));
  const orders = await Promise.all(Array.from({ length: 20 }, (_, i) => buyers[i % 4]!.placeOrder([{ boxId: boxId.toHexString(), quantity: 1 }])));
  // Paid together: the callbacks race for the one secret.
  await Promise.all(orders.map(async (order, i) => payAtSimulator(server.simulatorUrl, prepayIdOf((await buyers[i % 4]!.payJsapi(order.id)).package))));
  const docs: OrderDoc[] = await Promise.all(
    orders.map((order) => waitUntil(async () => {
      const doc = await orderDoc(server, order.id);
      return doc.status === 'TO_BE_DELIVERED' ? doc : null;
    }, 30_000, 'paid')),
  );
  const draws = docs.flatMap((doc) => doc.draws);
  expect(draws).toHaveLength(20);
  expect(draws.filter((draw) => draw.productId === 'scarce-secret')).toHaveLength(1);
  expect(draws.filter((draw) => draw.proof?.exhausted?.includes('scarce-secret'))).toHaveLength(19);
  // Settling follows the paid write: holds become sales, and the lines leave the counter.
  await waitUntil(async () => ((await counterOf(boxId))?.drawingLines.length === 0 && (await ledgerOf(boxId)).sold === 20 ? true : null), 10_000, 'orders settled');
  expect(await ledgerOf(boxId)).toMatchObject({ counts: { 'scarce-common': 11, 'scarce-secret': 0 }, available: 11, held: 0, sold: 20 });
  expect((await counterOf(boxId))?.drawing).toEqual([]);

  const shown = (await (await fetch(`${server.url}/api/boxes/${boxId.toHexString()}`)).json()) as Box;
  expect(shown.products.map((product) => [product.id, product.odds, product.soldOut])).toEqual([['scarce-common', 1, false], ['scarce-secret', 0, true]]);
  const stock = await admin('stock', 'scarce');
  expect(stock.output).toContain('box scarce (version 1): 11 available, 0 held for unpaid orders, 20 sold');
  expect(stock.output).toMatch(/scarce-secret\s+item scarce-secret {2}0 left, 1 drawn/);

  await admin('rotate-seed', boxId.toHexString());
  // Each seed at its own reveal time: after the last deadline of the orders that took it (and its step, fairness.ts).
  const proofs: DrawProof[] = [];
  for (const doc of docs) {
    const seed = await serverSeedModel(server.container.db).findById(doc.draws[0]!.proof!.seedId).lean();
    proofs.push(drawProofOf(doc, 0, seed!, revealTimeOf(seed!)!)!);
  }
  expect(verifyProofs(JSON.parse(JSON.stringify(proofs))).filter((entry) => !entry.result.ok)).toEqual([]);
  // Without its record of what had run out, a later unit's draw does not recompute: the proof needs it.
  const withoutExhausted = proofs.filter((proof) => proof.exhausted.length > 0).map((proof) => ({ ...proof, exhausted: [] }));
  expect(withoutExhausted).toHaveLength(19);
  // Each such unit would have drawn the secret with odds 1,000,000/1,000,001 had it still been there.
  expect(verifyProofs(JSON.parse(JSON.stringify(withoutExhausted))).filter((entry) => !entry.result.ok).length).toBeGreaterThanOrEqual(18);
});

/** A draw as every applier computes it alike: when it was drawn is each applier's own moment (whichever write wins is stored). */
const outcomes = (draws: Awaited<ReturnType<TestServer['container']['fairness']['draws']['prepare']>>) =>
  draws?.map(({ proof, ...draw }) => ({ ...draw, proof: { ...proof, drawnAt: undefined } }));

test('a retried fulfilment takes a line out of its items once, and a line whose order was closed meanwhile goes back', async () => {
  const boxId = await importBox('retry', { 'retry-a': { rarity: 'COMMON', weight: 1, stock: 5 }, 'retry-b': { rarity: 'RARE', weight: 1, stock: 5 } });
  const buyer = await shopper(server, 'dev-retry-draws');
  const order = await buyer.placeOrder([{ boxId: boxId.toHexString(), quantity: 3 }]);
  const doc = await orderDoc(server, order.id);
  const { draws } = server.container.fairness;
  const now = new Date();
  const [first, second] = await Promise.all([draws.prepare(doc, now), draws.prepare(doc, now)]);
  const third = await draws.prepare(doc, now);
  expect(outcomes(second)).toEqual(outcomes(first));
  expect(third?.map((draw) => draw.productId)).toEqual(first?.map((draw) => draw.productId));
  const after = await ledgerOf(boxId);
  expect(after.items).toBe(7);
  // The order is held (3 units) and its line taken: 7 left in items, 7 for sale.
  expect(after.available).toBe(7);

  // The order's item takes, one of its holds, given back twice (a repeat gives nothing more).
  await itemTakes().giveBack(doc);
  await itemTakes().giveBack(doc);
  expect((await ledgerOf(boxId)).items).toBe(10);
  // A stale applier drawing after the line went back takes nothing (the record says it was given back).
  expect(outcomes(await draws.prepare(doc, now))).toEqual(outcomes(first));
  expect((await ledgerOf(boxId)).items).toBe(10);
});

test('admin stock --set never takes units held for unpaid orders, however many orders race it; the box counter stays Σ items − held', async () => {
  const boxId = await importBox('race', { 'race-a': { rarity: 'COMMON', weight: 1, stock: 10 }, 'race-b': { rarity: 'RARE', weight: 1, stock: 10 } });
  const buyers = await Promise.all(Array.from({ length: 5 }, (_, i) => shopper(server, `dev-race-${i}`)));
  const addresses = await Promise.all(buyers.map((buyer) => buyer.address()));
  const orders = Array.from({ length: 40 }, (_, i) =>
    buyers[i % 5]!.api.post('/api/orders', { items: [{ boxId: boxId.toHexString(), quantity: 1 }], addressId: addresses[i % 5]!.id }),
  );
  // Stock changes one after the other for as long as orders keep arriving.
  const commands = [
    ['--item', 'race-a', '--set', '0', '--yes'],
    ['--item', 'race-b', '--set', '2', '--yes'],
    ['--item', 'race-a', '--add', '3'],
    ['--set', '1', '--yes'],
  ];
  let ordering = true;
  const placing = Promise.all(orders).finally(() => {
    ordering = false;
  });
  const changed = [];
  for (let i = 0; ordering || i < commands.length; i++) changed.push(await admin('stock', 'race', ...commands[i % commands.length]!));
  const placed = await placing;
  const created = placed.filter((response) => response.status === 201).length;
  expect(placed.every((response) => response.status === 201 || response.status === 409)).toBe(true);
  for (const result of changed) expect(result.exitCode === 0 || /STOCK_BELOW_HELD/.test(result.output)).toBe(true);
  // Some changes met units held for unpaid orders (answered, or refused, with them counted).
  expect(changed.some((result) => /[1-9]\d* (are )?held/.test(result.output))).toBe(true);

  const ledger = await ledgerOf(boxId);
  expect(ledger.held).toBe(created);
  expect(ledger.available).toBeGreaterThanOrEqual(0);
  expect(ledger.available + ledger.held + ledger.inFlight).toBe(ledger.items);
  expect(created).toBeLessThanOrEqual(23);

  // Setting every item to 0 would take the held units: refused, with the numbers, and nothing changes.
  const refused = await admin('stock', 'race', '--set', '0', '--yes');
  expect(refused.exitCode).toBe(1);
  expect(refused.output).toMatch(new RegExp(`STOCK_BELOW_HELD|${created} are held`));
  expect(await ledgerOf(boxId)).toEqual(ledger);
});

test('admin stock: the answer per item, the audit entry of a change, --dry-run writes nothing, --set needs --yes', async () => {
  const boxId = await importBox('topup', { 'topup-a': { rarity: 'COMMON', weight: 3, stock: 4 }, 'topup-b': { rarity: 'EPIC', weight: 1, stock: 1 } });
  const audits = await auditCount();

  const dryRun = await admin('stock', 'topup', '--item', 'topup-b', '--add', '5', '--dry-run');
  expect(dryRun.output).toBe('dry run, nothing written; it would change:\n  stock add box:topup: {"items":{"topup-b":1}} → {"items":{"topup-b":6}}');
  expect((await ledgerOf(boxId)).counts).toEqual({ 'topup-a': 4, 'topup-b': 1 });
  expect((await admin('stock', 'topup', '--set', '9')).exitCode).toBe(2);
  expect(await auditCount()).toBe(audits);

  const added = await admin('stock', 'topup', '--item', 'topup-b', '--add', '5', '--as', 'merchant-mei');
  expect(added.output).toBe(['box topup (version 1): 10 available, 0 held for unpaid orders, 0 sold', `  ${'topup-a'.padEnd(28)} item topup-a  4 left, 0 drawn`, `  ${'topup-b'.padEnd(28)} item topup-b  6 left, 0 drawn`].join('\n'));
  const set = JSON.parse((await admin('stock', 'topup', '--set', '2', '--yes', '--json')).output) as { available: number; items: Array<{ id: string; left: number }> };
  expect(set).toMatchObject({ available: 4, items: [{ id: 'topup-a', left: 2 }, { id: 'topup-b', left: 2 }] });
  const entries = JSON.parse((await admin('audit', '--limit', '2', '--json')).output) as Array<Record<string, unknown>>;
  expect(entries).toEqual([
    expect.objectContaining({ command: 'stock set', target: 'box:topup', before: { items: { 'topup-a': 4, 'topup-b': 6 } }, after: { items: { 'topup-a': 2, 'topup-b': 2 } } }),
    expect.objectContaining({ actor: 'merchant-mei', command: 'stock add', before: { items: { 'topup-b': 1 } }, after: { items: { 'topup-b': 6 } } }),
  ]);
  expect((await admin('stock', 'topup', '--item', 'nope', '--add', '1')).exitCode).toBe(1);
  expect((await admin('stock', 'topup', '--add', 'x')).exitCode).toBe(2);
});

test('the healing sweep finishes a take cut short before it was marked, and gives back a second take of the same line', async () => {
  const boxId = await importBox('heal', { 'heal-a': { rarity: 'COMMON', weight: 1, stock: 10 } });
  const buyer = await shopper(server, 'dev-heal-takes');
  const order = await buyer.placeOrder([{ boxId: boxId.toHexString(), quantity: 2 }]);
  const doc = await orderDoc(server, order.id);
  const { draws } = server.container.fairness;
  const drawn = await draws.prepare(doc);
  const db = stockDatabase(server.container.db);
  const Take = itemTakeModel(db);
  const takeId = `${order.id}:${boxId.toHexString()}`;
  // The take landed (its token is on the counter) and its order was never settled, as after a crash; and a stale
  // applier's second take of the line.
  const [landed] = (await counterOf(boxId))!.drawing;
  expect((await Take.findById(takeId).lean())?.state).toBe('CHOSEN');
  await stockModel(db).updateOne({ _id: boxId }, { $inc: { 'items.heal-a': -2 }, $push: { drawing: `${takeId}#0#stale`, drawingLines: takeId }, $set: { tokensAt: new Date(Date.now() - 3_600_000) } });
  expect((await ledgerOf(boxId)).items).toBe(6);

  await server.container.stock.heal();
  expect(await Take.findById(takeId).lean()).toMatchObject({ state: 'TAKEN', takenToken: landed });
  expect((await ledgerOf(boxId)).items).toBe(8);
  expect((await counterOf(boxId))?.drawing).toEqual([landed]);

  await itemTakes().keep({ ...doc, status: 'TO_BE_DELIVERED', draws: drawn! });
  expect(await counterOf(boxId)).toMatchObject({ drawing: [], drawingLines: [] });
});

test('a box stocked before per-item counts gets them from admin stock --set, around the units held for unpaid orders', async () => {
  const boxId = await importBox('legacy', { 'legacy-a': { rarity: 'COMMON', weight: 1, stock: 5 }, 'legacy-b': { rarity: 'RARE', weight: 1, stock: 5 } });
  await server.container.stock.setAvailable(boxId, 10);
  const buyer = await shopper(server, 'dev-legacy-stock');
  await buyer.placeOrder([{ boxId: boxId.toHexString(), quantity: 2 }]);
  expect(await itemStock(server.container.db).counts(boxId)).toBeNull();

  const refused = await admin('stock', 'legacy', '--item', 'legacy-a', '--add', '1');
  expect(refused.exitCode).toBe(1);
  expect(refused.output).toContain('NO_ITEM_COUNTS');
  expect((await admin('stock', 'legacy', '--set', '0', '--yes')).output).toContain('2 units are held for unpaid orders');

  const started = await admin('stock', 'legacy', '--set', '3', '--yes');
  expect(started.output).toContain('box legacy (version 1): 4 available, 2 held for unpaid orders, 0 sold');
  expect(await ledgerOf(boxId)).toMatchObject({ counts: { 'legacy-a': 3, 'legacy-b': 3 }, available: 4, held: 2 });
});
