import mongoose from 'mongoose';
import { testEnv, uniqueDbName } from '../support/test-env';

/**
 * Single-document atomicity, as MongoDB gives it: of many concurrent guarded updates only as many win as
 * the guard allows, while writes to another collection of the same database go on too (queued with them).
 */

let client: InstanceType<typeof mongoose.mongo.MongoClient>;
beforeAll(async () => {
  client = await new mongoose.mongo.MongoClient(testEnv().mongodbUri, { maxPoolSize: 100 }).connect();
});
afterAll(async () => {
  await client?.close();
});

test('300 concurrent guarded $inc on one document, with writes to a second collection: exactly the guard allows', async () => {
  const db = client.db(uniqueDbName('serializer'));
  const stock = db.collection<{ _id: string; available: number }>('stocks');
  const audit = db.collection('audit');
  await stock.insertOne({ _id: 'box', available: 100 });
  // every connection of the pool open first, so the updates really run side by side
  await Promise.all(Array.from({ length: 100 }, () => stock.findOne({ _id: 'box' })));

  const results = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const [taken] = await Promise.all([
        stock.updateOne({ _id: 'box', available: { $gte: 1 } }, { $inc: { available: -1 } }),
        audit.insertOne({ i, at: new Date() }),
      ]);
      return taken.modifiedCount;
    }),
  );

  expect(results.reduce((sum, n) => sum + n, 0)).toBe(100);
  expect((await stock.findOne({ _id: 'box' }))?.available).toBe(0);
  expect(await audit.countDocuments()).toBe(300);
  await db.dropDatabase();
});
