import { Schema } from 'mongoose';
import { connectDatabase } from './connect';
import { defineModel } from './define-model';
import { toErrorBody } from '../http/error-handler';
import { testEnv, uniqueDbName } from '../../test/support/test-env';
import { freePort } from '../../dev/free-port';

interface Thing {
  sku: string;
  count: number;
}
const thingModel = defineModel<Thing>('Thing', new Schema<Thing>({ sku: { type: String, unique: true }, count: Number }));

test('a mongoose round trip on the engine, with a unique index violation rendered as 409', async () => {
  const db = await connectDatabase({ uri: testEnv().mongodbUri, dbName: uniqueDbName('db'), poolSize: 2 });
  try {
    const Thing = thingModel(db);
    await Thing.init();
    await Thing.create({ sku: 'A-1', count: 1 });
    await Thing.updateOne({ sku: 'A-1' }, { $inc: { count: 2 } });
    expect((await Thing.findOne({ sku: 'A-1' }).lean())?.count).toBe(3);

    const duplicate = await Thing.create({ sku: 'A-1', count: 9 }).catch((error: unknown) => error);
    expect(toErrorBody(duplicate)).toMatchObject({ status: 409, code: 'CONFLICT', message: expect.stringMatching(/^duplicate value/) });
    expect(await Thing.countDocuments()).toBe(1);
  } finally {
    await db.dropDatabase();
    await db.close();
  }
});

test('an unreachable database fails fast with a readable message', async () => {
  const port = await freePort();
  await expect(connectDatabase({ uri: `mongodb://127.0.0.1:${port}/`, dbName: 'x', poolSize: 1 })).rejects.toThrow(
    /cannot reach the database at mongodb:\/\/127\.0\.0\.1:\d+\/ .*MONGODB_URI/,
  );
}, 20_000);

test('production refuses a database that is not a replica set, naming what it found; staging may allow it', async () => {
  const options = { uri: testEnv().mongodbUri, dbName: uniqueDbName('db'), poolSize: 1, production: true };
  await expect(connectDatabase(options)).rejects.toThrow(/is the embedded development engine \(FerretDB\), not MongoDB: production needs a replica set/);
  const staging = await connectDatabase({ ...options, allowStandalone: true });
  await staging.close();
});
