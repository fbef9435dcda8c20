import mongoose, { Types, type Connection } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { boxModel, type BoxDoc } from './box.model';
import { boxMemory } from './box-memory';

let server: TestServer;
/** The server's database over a connection of the test's own, its commands monitored (the server's are not). */
let watched: Connection;
let box: BoxDoc;
beforeAll(async () => {
  server = await startTestServer();
  watched = await mongoose.createConnection(server.container.config.MONGODB_URI, { dbName: server.container.db.name, monitorCommands: true }).asPromise();
  const [created] = await boxModel(server.container.db).create([
    { slug: `memory-${new Types.ObjectId().toHexString()}`, name: '记忆测试', coverUrl: '/c.png', priceFen: 5000, products: [{ productId: 'memory-a', name: 'A', rarity: 'COMMON', imageUrl: '/a.png', weight: 1 }] },
  ]);
  box = created!.toObject<BoxDoc>();
});
afterAll(async () => {
  await watched.close();
  await server.stop();
});

/** The box memory over the real database, its reads counted. */
function countedMemory(memoryMs: number) {
  const memory = boxMemory(watched, memoryMs);
  const reads = { count: 0 };
  watched.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'find' && (event.command as { find?: string }).find === 'boxes') reads.count += 1;
  });
  return { memory, reads };
}

test('one read serves every order asking at once, and the box is that read for the memory\'s time; then the next order starts a read, and the ones after it see the change', async () => {
  const memoryMs = 1_000;
  const { memory, reads } = countedMemory(memoryMs);
  const asked = await Promise.all(Array.from({ length: 20 }, () => memory.boxes([box._id])));
  expect(asked.every((found) => found.get(box._id.toHexString())?.priceFen === 5000)).toBe(true);
  expect(reads.count).toBe(1);

  // A change within the memory's time is not seen yet (the price is at most memoryMs old); after it, it is.
  const readAt = Date.now();
  await boxModel(server.container.db).updateOne({ _id: box._id }, { $set: { priceFen: 5900 } });
  const soon = (await memory.boxes([box._id])).get(box._id.toHexString());
  if (Date.now() - readAt < memoryMs) expect(soon?.priceFen).toBe(5000);
  await new Promise((resolve) => setTimeout(resolve, memoryMs + 10));
  // Past it, the next order is answered the box remembered at once, and starts the one read that refreshes it.
  const readsBefore = reads.count;
  expect((await memory.boxes([box._id])).get(box._id.toHexString())?.priceFen).toBe(5000);
  let refreshed: BoxDoc | undefined;
  const deadline = Date.now() + 5_000;
  while (refreshed?.priceFen !== 5900 && Date.now() < deadline) {
    refreshed = (await memory.boxes([box._id])).get(box._id.toHexString());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(refreshed?.priceFen).toBe(5900);
  expect(reads.count).toBe(readsBefore + 1);

  // An unknown box is absent, and remembered as unknown for the same time: a flood of orders for it is one read.
  const before = reads.count;
  const unknown = new Types.ObjectId();
  await Promise.all(Array.from({ length: 5 }, () => memory.boxes([unknown])));
  expect((await memory.boxes([unknown])).has(unknown.toHexString())).toBe(false);
  expect(reads.count).toBe(before + 1);
});

test('with no memory (0 ms) every order reads the box, and orders asking at once still share one read', async () => {
  const { memory, reads } = countedMemory(0);
  await Promise.all(Array.from({ length: 10 }, () => memory.boxes([box._id])));
  const shared = reads.count;
  expect(shared).toBe(1);
  await memory.boxes([box._id]);
  expect(reads.count).toBe(shared + 1);
});
