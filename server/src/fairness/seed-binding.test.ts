import { Types } from 'mongoose';
import type { BoxFairness, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxState } from '../../test/support/stock';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { serverSeedModel } from './fairness.model';
import type { OrderDraft, OrderHold } from '../orders/order-holds';

let server: TestServer;
let boxId: string;
beforeAll(async () => {
  server = await startTestServer();
  const file = boxFile('bound', { 'bound-a': { rarity: 'COMMON', weight: 3, stock: 200 }, 'bound-b': { rarity: 'SECRET', weight: 1, stock: 200 } });
  expect((await runAdminCommand(server.container, ['box', 'import', await catalogDir([file])], { osUser: 'seed-test' })).exitCode).toBe(0);
  boxId = (await boxModel(server.container.db).findOne({ slug: 'bound' }).lean())!._id.toHexString();
});
afterAll(() => server.stop());

const rotate = async () => expect((await runAdminCommand(server.container, ['rotate-seed', boxId])).exitCode).toBe(0);

/** Runs `during` right after the named hold is taken while the order is being placed (as a slow request would meet it). */
function atHold(name: string, during: () => Promise<void>): () => void {
  const hold = server.container.holds.list.find((candidate) => candidate.name === name) as OrderHold;
  const take = hold.take!;
  hold.take = async (draft: OrderDraft) => {
    await take(draft);
    await during();
  };
  return () => {
    hold.take = take;
  };
}

test('whenever the seed rotates in an order\'s life, the order takes a seed whose hash was public before it was requested, and its answer names it', async () => {
  const ann = await shopper(server, 'dev-bound-ann');
  const moments: Array<[string, (place: () => Promise<Order>) => Promise<Order>]> = [
    ['just before the request', async (place) => (await rotate(), place())],
    ...['stock', 'set positions', 'seed commitment', 'purchase quota', 'coupon', 'daily caps'].map(
      (hold): [string, (place: () => Promise<Order>) => Promise<Order>] => [
        `inside the request, after the ${hold} hold`,
        async (place) => {
          const restore = atHold(hold, rotate);
          try {
            return await place();
          } finally {
            restore();
          }
        },
      ],
    ),
    [
      'inside the request, lazily, by the request itself (the seed was due)',
      async (place) => {
        await serverSeedModel(server.container.db).updateMany({ boxId: new Types.ObjectId(boxId), retiredAt: null }, { $set: { rotateAt: new Date(Date.now() - 1) } });
        return place();
      },
    ],
    ['after placing, before paying', async (place) => place().then(async (order) => (await rotate(), order))],
    [
      'while it is being paid, as its draw reads its seed',
      async (place) => {
        const order = await place();
        const { seeds } = server.container.fairness;
        const secretOf = seeds.secretOf;
        seeds.secretOf = (async (seedId: string) => {
          seeds.secretOf = secretOf;
          await rotate();
          return secretOf(seedId);
        }) as typeof secretOf;
        return order;
      },
    ],
  ];
  const seedsSecretOf = server.container.fairness.seeds.secretOf;
  for (const [moment, run] of moments) {
    const published = new Set((await ann.api.get<BoxFairness>(`/api/boxes/${boxId}/fairness`)).body.seeds.map((seed) => seed.hash));
    const requestedAt = Date.now();
    const order = await run(() => ann.placeOrder([{ boxId, quantity: 2 }]));
    const named = order.items[0]?.commitment;
    const seed = await serverSeedModel(server.container.db).findById(named?.seedId).lean();
    expect({ moment, published: published.has(named?.serverSeedHash ?? ''), before: seed!.committedAt.getTime() < requestedAt }).toEqual({ moment, published: true, before: true });
    await payAtSimulator(server.simulatorUrl, prepayIdOf((await ann.payJsapi(order.id)).package));
    const paid = await waitUntil(async () => {
      const doc = await orderDoc(server, order.id);
      return doc.status === 'TO_BE_DELIVERED' ? doc : null;
    }, 60_000, 'paid');
    // The draws use the commitment the answer named, whatever rotated after.
    expect(paid.draws.map((draw) => draw.proof?.serverSeedHash)).toEqual([named?.serverSeedHash, named?.serverSeedHash]);
    expect({ moment, seedRead: server.container.fairness.seeds.secretOf === seedsSecretOf }).toEqual({ moment, seedRead: true });
  }
}, 240_000);

test('two rotations inside one request leave no seed public before it began: the order is refused (try again) and takes nothing', async () => {
  const bo = await shopper(server, 'dev-bound-bo');
  const before = await boxState(server, boxId);
  const restore = atHold('stock', async () => {
    await rotate();
    await rotate();
  });
  try {
    const { status, body } = await bo.api.post<{ code: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: (await bo.address()).id });
    expect([status, body.code]).toEqual([503, 'SEED_NOT_READY']);
  } finally {
    restore();
  }
  expect(await boxState(server, boxId)).toEqual(before);
  // The next request finds the seed promoted by those rotations public before it.
  expect((await bo.placeOrder([{ boxId, quantity: 1 }])).items[0]?.commitment?.serverSeedHash).toMatch(/^[0-9a-f]{64}$/);
}, 120_000);

test('the seed history is complete: paging with ?before=<generation> lists every generation once, newest first', async () => {
  for (let i = 0; i < 12; i++) await rotate();
  const ann = await shopper(server, 'dev-bound-pages');
  const generations: number[] = [];
  let before = '';
  for (;;) {
    const { body } = await ann.api.get<BoxFairness>(`/api/boxes/${boxId}/fairness${before}`);
    if (body.seeds.length === 0) break;
    generations.push(...body.seeds.map((seed) => seed.generation));
    before = `?before=${body.seeds.at(-1)!.generation}`;
  }
  expect(generations).toEqual(Array.from({ length: generations[0]! }, (_, i) => generations[0]! - i));
  expect(generations.length).toBeGreaterThan(12);
}, 120_000);
