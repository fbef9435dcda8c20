import { Types } from 'mongoose';
import { boxProductOdds, drawOdds, type Box } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { stockLedger } from '../catalog/stock';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test('after items sell out, the rules page shows the odds the draw uses: the same tickets, the same total, 0 for what is gone', async () => {
  const file = boxFile('odds', {
    'odds-common': { rarity: 'COMMON', weight: 60, stock: 10 },
    'odds-rare': { rarity: 'RARE', weight: 30, stock: 10 },
    'odds-secret': { rarity: 'SECRET', weight: 10, stock: 1 },
    'odds-hidden': { rarity: 'SECRET', weight: 5, stock: 1 },
  });
  const imported = await runAdminCommand(server.container, ['box', 'import', await catalogDir([file])], { osUser: 'odds-test' });
  expect(imported.exitCode).toBe(0);
  const boxId = (await boxModel(server.container.db).findOne({ slug: 'odds' }).lean())!._id as Types.ObjectId;
  const ann = await shopper(server, 'dev-odds-ann');
  const boxPage = async () => (await ann.api.get<Box>(`/api/boxes/${boxId.toHexString()}`)).body;

  const fresh = boxProductOdds((await boxPage()).products);
  expect(fresh.map((row) => [row.tickets, row.total])).toEqual([[60, 105], [30, 105], [10, 105], [5, 105]]);

  // Both secrets go (as to other shoppers' draws).
  expect(await stockLedger(server.container.db).changeItems(boxId, { 'odds-secret': -1, 'odds-hidden': -1 })).toBe(true);
  const box = await boxPage();
  const shown = boxProductOdds(box.products);
  expect(shown.map((row) => [row.productId, row.tickets, row.total])).toEqual([['odds-common', 60, 90], ['odds-rare', 30, 90], ['odds-secret', 0, 90], ['odds-hidden', 0, 90]]);
  // The box page's probabilities are the same fractions.
  expect(box.products.map((product) => product.odds)).toEqual(shown.map((row) => row.tickets / row.total));

  // The draws of an order paid now use exactly these: their recorded exhausted items give the same rows.
  const order = await ann.placeOrder([{ boxId: boxId.toHexString(), quantity: 3 }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await ann.payJsapi(order.id)).package));
  const paid = await waitUntil(async () => {
    const doc = await orderDoc(server, order.id);
    return doc.status === 'TO_BE_DELIVERED' ? doc : null;
  }, 60_000, 'order paid');
  const line = paid.items[0]!;
  for (const draw of paid.draws) {
    expect(drawOdds(line.products, draw.proof!.exhausted)).toEqual(shown);
    expect(['odds-common', 'odds-rare']).toContain(draw.productId);
  }
}, 120_000);
