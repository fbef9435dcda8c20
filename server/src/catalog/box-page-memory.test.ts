import { Types } from 'mongoose';
import { boxSchema } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { setStock } from '../../test/support/stock';
import { buyer } from '../../test/fault/fault-support';
import { boxModel } from './box.model';

// The box page with a memory, as in production (the other tests run with BOX_MEMORY_MS=0), each request's
// database commands counted.
const MEMORY_MS = 1_000;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { BOX_MEMORY_MS: String(MEMORY_MS), DB_COMMAND_COUNTS: 'true' } });
});
afterEach(() => server.clock.reset());
afterAll(async () => {
  await server.stop();
});

async function newBox(): Promise<string> {
  const [box] = await boxModel(server.container.db).create([
    { slug: `page-${new Types.ObjectId().toHexString()}`, name: '开售页', coverUrl: '/c.png', priceFen: 9900, products: [{ productId: 'only', name: 'Only', rarity: 'SECRET', imageUrl: '/i.png', weight: 1 }] },
  ]);
  await setStock(server, box!._id.toHexString(), 50);
  return box!._id.toHexString();
}

const boxPage = async (id: string) => boxSchema.parse(await (await fetch(`${server.url}/api/boxes/${id}`)).json());
/** Reads made by the box page loads since `from` (an index into the samples). */
const pageReads = (from: number) =>
  server.container
    .commands!.samples()
    .slice(from)
    .filter((sample) => sample.kind === 'GET /api/boxes/:id 200')
    .reduce((sum, sample) => sum + sample.reads, 0);

test("a crowd on the box page costs one read of the box and one of its stock, shared; the drop's countdown still follows the clock", async () => {
  const id = await newBox();
  const opensAt = new Date(Date.now() + 60_000);
  await boxModel(server.container.db).updateOne({ _id: id }, { $set: { onSaleAt: opensAt } });
  server.clock.freezeAt(new Date(opensAt.getTime() - 5_000));

  const from = server.container.commands!.samples().length;
  const readAt = Date.now();
  const pages = await Promise.all(Array.from({ length: 20 }, () => boxPage(id)));
  expect(pages.every((page) => page.stock === 50 && page.onSaleAt === opensAt.toISOString())).toBe(true);
  expect(pageReads(from)).toBe(2);

  // Remembered, yet the server's time in it is the clock's at each answer: the countdown reaches the opening.
  server.clock.freezeAt(opensAt);
  const atOpening = await boxPage(id);
  expect(atOpening.serverTime).toBe(opensAt.toISOString());
  // (Unless this machine stalled past the memory's time in between.)
  if (Date.now() - readAt < MEMORY_MS) expect(pageReads(from)).toBe(2);
});

/** The box page once the memory's time has passed: the first load starts the read (and is answered from memory), a later one sees it. */
async function pageAfterMemory(id: string) {
  await new Promise((resolve) => setTimeout(resolve, MEMORY_MS + 50));
  const first = await fetch(`${server.url}/api/boxes/${id}`);
  await first.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return fetch(`${server.url}/api/boxes/${id}`);
}

test('a change shows on the box page within the memory and one read, and so does a box added after a 404 for its id', async () => {
  const id = await newBox();
  expect((await boxPage(id)).priceFen).toBe(9900);
  await boxModel(server.container.db).updateOne({ _id: id }, { $set: { priceFen: 5900 } });
  expect(boxSchema.parse(await (await pageAfterMemory(id)).json()).priceFen).toBe(5900);

  const unknown = new Types.ObjectId().toHexString();
  expect((await fetch(`${server.url}/api/boxes/${unknown}`)).status).toBe(404);
  const [created] = await boxModel(server.container.db).create([
    { _id: unknown, slug: `page-${unknown}`, name: '新上架', coverUrl: '/c.png', priceFen: 1900, products: [{ productId: 'only', name: 'Only', rarity: 'COMMON', imageUrl: '/i.png', weight: 1 }] },
  ]);
  // The 404 is remembered as long as a box is (a flood of made-up ids is one read a moment), then the box is found.
  expect(boxSchema.parse(await (await pageAfterMemory(created!._id.toHexString())).json()).name).toBe('新上架');
});

test('the box page says sold out as soon as the last unit is taken, not when its remembered stock is read again', async () => {
  const id = await newBox();
  await setStock(server, id, 1);
  expect((await boxPage(id)).stock).toBe(1);
  const last = await buyer(server, 'dev-page-last-unit');
  await last.orderNow([{ boxId: id, quantity: 1 }]);
  // Within the memory's time the remembered stock still says 1; orders know better.
  expect((await boxPage(id)).stock).toBe(0);
});
