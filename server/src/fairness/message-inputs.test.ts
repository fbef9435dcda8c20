import { Types } from 'mongoose';
import type { DrawInputs, DrawLogPage, MessageKey } from '@blindbox/shared';
import { drawMessage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';

/**
 * Where each input of a draw comes from. A Record over the inputs' keys: a new input cannot be added to the draw
 * without saying here who chooses it, and none may be something the server picks after the seed's commitment.
 */
const ORIGIN: Record<keyof DrawInputs, 'committed before the order' | 'the shopper' | 'the draws before it'> = {
  serverSeed: 'committed before the order',
  products: 'committed before the order',
  guarantee: 'committed before the order',
  clientSeed: 'the shopper',
  key: 'the shopper',
  missesBefore: 'the draws before it',
  exhausted: 'the draws before it',
};
const MESSAGE_V2: Record<keyof Extract<MessageKey, { version: 2 }>, string> = {
  version: 'the format',
  nonce: "the shopper's own count of their lines of this box",
  unit: "the unit's place in the line the shopper asked for",
};

let server: TestServer;
let boxId: string;
beforeAll(async () => {
  server = await startTestServer();
  const file = boxFile('msg', { 'msg-a': { rarity: 'COMMON', weight: 3, stock: 100 }, 'msg-b': { rarity: 'RARE', weight: 1, stock: 100 } });
  expect((await runAdminCommand(server.container, ['box', 'import', await catalogDir([file])], { osUser: 'msg-test' })).exitCode).toBe(0);
  boxId = (await boxModel(server.container.db).findOne({ slug: 'msg' }).lean())!._id.toHexString();
});
afterAll(() => server.stop());

test('the draw message holds nothing the server chooses after the commitment: the shopper\'s client seed, their own line number for the box and the unit', async () => {
  expect(Object.keys(ORIGIN).sort()).toEqual(['clientSeed', 'exhausted', 'guarantee', 'key', 'missesBefore', 'products', 'serverSeed']);
  expect(Object.keys(MESSAGE_V2).sort()).toEqual(['nonce', 'unit', 'version']);

  const ann = await shopper(server, 'dev-msg-ann');
  expect((await ann.api.put('/api/me/client-seed', { clientSeed: 'ann-phone-seed' })).status).toBe(200);
  const pay = async (quantity: number) => {
    const order = await ann.placeOrder([{ boxId, quantity }]);
    await payAtSimulator(server.simulatorUrl, prepayIdOf((await ann.payJsapi(order.id)).package));
    return waitUntil(async () => {
      const doc = await orderDoc(server, order.id);
      return doc.status === 'TO_BE_DELIVERED' ? doc : null;
    }, 60_000, 'paid');
  };
  const first = await pay(2);
  // An order placed and cancelled unpaid takes no number: numbers are taken only when a line is drawn.
  const cancelled = await ann.placeOrder([{ boxId, quantity: 1 }]);
  expect((await ann.api.post(`/api/orders/${cancelled.id}/cancel`)).status).toBe(200);
  const second = await pay(3);

  // The shopper can tell their numbers before ordering: 1 for their first line of this box, 2 for the next, …
  const proofs = [...first.draws, ...second.draws].map((draw) => draw.proof!);
  expect(proofs.map((proof) => [proof.messageVersion, proof.nonce, proof.unit])).toEqual([
    [2, 1, 0],
    [2, 1, 1],
    [2, 2, 0],
    [2, 2, 1],
    [2, 2, 2],
  ]);
  for (const [order, draws] of [[first, first.draws], [second, second.draws]] as const) {
    for (const draw of draws) {
      const message = drawMessage(order.clientSeed, { version: 2, nonce: draw.proof!.nonce!, unit: draw.proof!.unit! });
      expect(message).toBe(`ann-phone-seed:${draw.proof!.nonce}:${draw.proof!.unit}`);
      // Nothing the server made for the order (its id, its times) is in what is signed.
      expect(message).not.toContain(order._id.toHexString());
    }
  }

  // The public log says the same, under the shopper's random name, and its message is the proof's.
  // Logged right after the paid-and-drawn write settles (the answer to the payment may come first).
  const mine = await waitUntil(async () => {
    const log = (await (await fetch(`${server.url}/api/fairness/boxes/${boxId}/draws`)).json()) as DrawLogPage;
    const entries = log.items.filter((entry) => entry.clientSeed === 'ann-phone-seed');
    return entries.length === 5 ? entries : null;
  }, 30_000, 'the draws logged');
  expect(mine.map((entry) => `${entry.nonce}:${entry.unit}`)).toEqual(['1:0', '1:1', '2:0', '2:1', '2:2']);
  expect(new Set(mine.map((entry) => entry.shopper)).size).toBe(1);
  expect(mine[0]!.shopper).not.toContain(first.userId.toHexString());
  expect(Types.ObjectId.isValid(mine[0]!.shopper)).toBe(false);
}, 180_000);
