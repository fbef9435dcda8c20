import { Types } from 'mongoose';
import type { MyGuarantee, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { itemStock } from '../catalog/item-stock';
import { stockLedger } from '../catalog/stock';
import type { DrawDoc, OrderDoc } from '../orders/order.model';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function importBox(...args: Parameters<typeof boxFile>): Promise<Types.ObjectId> {
  const result = await runAdminCommand(server.container, ['box', 'import', await catalogDir([boxFile(...args)])], { osUser: 'guarantee-test' });
  if (result.exitCode !== 0) throw new Error(result.output);
  return (await boxModel(server.container.db).findOne({ slug: args[0] }).lean())!._id;
}

type Buyer = Awaited<ReturnType<typeof shopper>>;

/** Places an order, answering the refusal's code instead of throwing. */
async function tryOrder(buyer: Buyer, boxId: Types.ObjectId, quantity: number): Promise<Order | string> {
  const addressId = (await buyer.address()).id;
  const { status, body } = await buyer.api.post<Order & { code: string }>('/api/orders', { items: [{ boxId: boxId.toHexString(), quantity }], addressId });
  return status === 201 ? body : body.code;
}

const settled = (orderId: string) =>
  waitUntil(async () => {
    const doc = await orderDoc(server, orderId);
    return doc.status === 'TO_BE_PAID' ? null : doc;
  }, 60_000, `order ${orderId} settled`);

async function pay(buyer: Buyer, order: Order): Promise<OrderDoc> {
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order.id)).package));
  return settled(order.id);
}

/**
 * One shopper's draws form one chain of the counter: every miss at k is followed by a draw at k + 1 (but the
 * last one), no draw starts at `within` misses or more, and a draw at `within − 1` is forced and a hit.
 */
function expectKeptChain(draws: readonly DrawDoc[], within: number, finalMisses: number) {
  const at = (k: number) => draws.filter((draw) => draw.proof?.missesBefore === k);
  const hit = (draw: DrawDoc) => draw.rarity === 'SECRET';
  for (const draw of draws) expect(draw.proof!.missesBefore).toBeLessThan(within);
  for (const draw of at(within - 1)) expect({ forced: draw.proof!.forced, hit: hit(draw) }).toEqual({ forced: true, hit: true });
  for (let k = 1; k < within; k++) expect(at(k).length).toBe(at(k - 1).filter((draw) => !hit(draw)).length - (finalMisses === k ? 1 : 0));
}

test('five shoppers buy a guaranteed box until nothing more can be sold: the guarantee never lapses, and once its items are gone a due shopper is refused', async () => {
  const within = 3;
  // 4 secrets for 50 units and a guarantee every 3 draws: the secrets go long before the rest.
  const boxId = await importBox(
    'kept',
    { 'kept-common': { rarity: 'COMMON', weight: 70, stock: 30 }, 'kept-rare': { rarity: 'RARE', weight: 25, stock: 16 }, 'kept-secret': { rarity: 'SECRET', weight: 5, stock: 4 } },
    { guarantee: { minRarity: 'SECRET', within } },
  );
  const buyers = await Promise.all(Array.from({ length: 5 }, (_, i) => shopper(server, `dev-kept-${i}`)));
  const refusals: string[] = [];
  const docs: OrderDoc[][] = buyers.map(() => []);
  for (let round = 0; round < 40; round++) {
    const placed = await Promise.all(buyers.map((buyer, i) => tryOrder(buyer, boxId, 1 + ((round + i) % 2))));
    refusals.push(...placed.filter((answer): answer is string => typeof answer === 'string'));
    if (placed.every((answer) => typeof answer === 'string')) break;
    // Paid together: the callbacks race for the last secrets.
    await Promise.all(placed.map(async (answer, i) => void (typeof answer !== 'string' && docs[i]!.push(await pay(buyers[i]!, answer)))));
  }
  expect(new Set(refusals)).toEqual(new Set(['GUARANTEE_UNAVAILABLE', ...(refusals.includes('OUT_OF_STOCK') ? ['OUT_OF_STOCK'] : [])]));
  expect((await itemStock(server.container.db).counts(boxId))?.['kept-secret']).toBe(0);

  for (const [i, buyer] of buyers.entries()) {
    const mine = (await buyer.api.get<MyGuarantee>(`/api/me/guarantee/${boxId.toHexString()}`)).body;
    const draws = docs[i]!.flatMap((doc) => doc.draws);
    expect(draws.length).toBeGreaterThan(0);
    expectKeptChain(draws, within, mine.misses);
    // What the page says is what the next order meets: either a hit within `remaining`, or no order at all.
    expect(mine.remaining).toBe(within - mine.misses);
    // Orders refunded instead of drawn (paid in the moment the last secret went) drew nothing.
    for (const doc of docs[i]!.filter((candidate) => candidate.status !== 'TO_BE_DELIVERED')) expect({ status: doc.status, draws: doc.draws.length }).toEqual({ status: 'REFUNDING', draws: 0 });
  }
}, 240_000);

test('an order whose guarantee falls due after its items ran out is refunded in full, drawn never, and the count stays as shown', async () => {
  const within = 3;
  // A secret at 1 in 1,000,001: the first two draws miss.
  const boxId = await importBox('due', { 'due-common': { rarity: 'COMMON', weight: 1_000_000, stock: 20 }, 'due-secret': { rarity: 'SECRET', weight: 1, stock: 2 } }, { guarantee: { minRarity: 'SECRET', within } });
  const ann = await shopper(server, 'dev-due-ann');
  const first = await pay(ann, await ann.placeOrder([{ boxId: boxId.toHexString(), quantity: 2 }]));
  expect(first.draws.map((draw) => draw.productId)).toEqual(['due-common', 'due-common']);
  const guarantee = async () => (await ann.api.get<MyGuarantee>(`/api/me/guarantee/${boxId.toHexString()}`)).body;
  expect(await guarantee()).toMatchObject({ misses: 2, remaining: 1 });

  // Placed while a secret is left; the secrets then go (as to other orders paid first) before it is paid.
  const due = await ann.placeOrder([{ boxId: boxId.toHexString(), quantity: 1 }]);
  expect(await stockLedger(server.container.db).changeItems(boxId, { 'due-secret': -2 })).toBe(true);
  expect(await tryOrder(ann, boxId, 1)).toBe('GUARANTEE_UNAVAILABLE');

  const refunded = await pay(ann, due);
  expect(refunded.status).toBe('REFUNDING');
  expect(refunded.draws).toEqual([]);
  expect(refunded.refunds.map((refund) => [refund.amountFen, refund.reason])).toEqual([[due.totalFen, 'the guarantee could not be kept: its items sold out']]);
  expect(await guarantee()).toMatchObject({ misses: 2, remaining: 1 });
  // Its unit went back on sale, and a shopper far from due may still buy the commons.
  const bob = await shopper(server, 'dev-due-bob');
  expect((await pay(bob, await bob.placeOrder([{ boxId: boxId.toHexString(), quantity: 1 }]))).draws[0]?.productId).toBe('due-common');
}, 120_000);

test('a refund leaves the guarantee count as the draws left it: refunded misses still count, a refunded hit still resets, and later draws go on from them', async () => {
  const within = 3;
  const boxId = await importBox('refunded', { 'refunded-common': { rarity: 'COMMON', weight: 1_000_000, stock: 20 }, 'refunded-secret': { rarity: 'SECRET', weight: 1, stock: 5 } }, { guarantee: { minRarity: 'SECRET', within } });
  const cy = await shopper(server, 'dev-refunded-cy');
  const guarantee = async () => (await cy.api.get<MyGuarantee>(`/api/me/guarantee/${boxId.toHexString()}`)).body;
  const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'guarantee-test' });
  const buy = async (quantity: number) => pay(cy, await cy.placeOrder([{ boxId: boxId.toHexString(), quantity }]));

  const misses = await buy(2);
  expect(await guarantee()).toMatchObject({ misses: 2, remaining: 1 });
  expect((await admin('refund', misses._id.toHexString(), '--reason', 'damaged in transit', '--yes')).exitCode).toBe(0);
  expect((await orderDoc(server, misses._id.toHexString())).status).toMatch(/^REFUND/);
  expect(await guarantee()).toMatchObject({ misses: 2, remaining: 1 });

  // The next draw is due because of the refunded misses; its hit stays counted once refunded too.
  const hit = await buy(1);
  expect(hit.draws.map((draw) => [draw.proof?.missesBefore, draw.proof?.forced, draw.rarity])).toEqual([[2, true, 'SECRET']]);
  expect((await admin('refund', hit._id.toHexString(), '--reason', 'damaged in transit', '--yes')).exitCode).toBe(0);
  expect(await guarantee()).toMatchObject({ misses: 0, remaining: within });
  expect((await buy(1)).draws[0]?.proof?.missesBefore).toBe(0);
}, 120_000);
