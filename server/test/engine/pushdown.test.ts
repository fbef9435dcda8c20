import mongoose from 'mongoose';
import { testEnv, uniqueDbName } from '../support/test-env';

/**
 * The engine pushes equality, $in and range filters on indexed fields down to SQLite. FerretDB filters what
 * comes back again, so a pushdown can only go wrong by dropping a document MongoDB would match: these cases
 * pin MongoDB's answer for the types SQLite compares differently, and EXPLAIN shows which queries use an index.
 * Run against MongoDB (MONGODB_URI) the result assertions hold the same; the plan assertions are engine-only.
 */

const { MongoClient, ObjectId, Long, Double } = mongoose.mongo;
type Doc = Record<string, unknown> & { _id: number };

let client: InstanceType<typeof MongoClient>;
let db: ReturnType<InstanceType<typeof MongoClient>['db']>;
const onEngine = !process.env.MONGODB_URI;

const oid = new ObjectId();
const day = new Date('2026-03-01T00:00:00Z');
const docs: Doc[] = [
  { _id: 1, s: 'x', n: 5, d: day, b: true, o: oid, a: 'A', k: 1, p: { q: 'deep' } },
  { _id: 2, s: 'y', n: Long.fromNumber(5), d: new Date(day.getTime() + 1), a: 'A', k: 2 },
  { _id: 3, n: new Double(5), a: 'B', k: 1 },
  { _id: 4, n: 5.5 },
  { _id: 5, s: null, n: 5.000000000000001 },
  { _id: 6, s: oid.toHexString(), o: oid.toHexString() },
  { _id: 7, n: '5', d: String(day.getTime()) },
  { _id: 8, b: 1, d: day.getTime() },
  { _id: 9, n: Long.fromString('9007199254740993') },
  { _id: 10, b: false, p: { q: 'shallow' } },
];

async function ids(collection: string, filter: Record<string, unknown>): Promise<number[]> {
  const found = await db.collection<Doc>(collection).find(filter).toArray();
  return found.map((doc) => doc._id).sort((x, y) => x - y);
}

/** What the engine's EXPLAIN says about the SQL it runs for filter. */
async function plan(collection: string, filter: Record<string, unknown>): Promise<{ pushdown: boolean; detail: string }> {
  const explained = (await db.collection(collection).find(filter).explain()) as {
    filterPushdown: boolean;
    queryPlanner: { Plan: string[] };
  };
  return { pushdown: explained.filterPushdown, detail: explained.queryPlanner.Plan.join('\n') };
}

async function expectIndexed(collection: string, filter: Record<string, unknown>, index: string): Promise<void> {
  if (!onEngine) return;
  const { pushdown, detail } = await plan(collection, filter);
  expect(pushdown).toBe(true);
  expect(detail).toMatch(new RegExp(`SEARCH \\S+ USING (COVERING )?INDEX \\S+_${index}\\b`));
}

async function expectScanned(collection: string, filter: Record<string, unknown>): Promise<void> {
  if (!onEngine) return;
  const { pushdown, detail } = await plan(collection, filter);
  expect(pushdown).toBe(false);
  expect(detail).toMatch(/SCAN /);
}

beforeAll(async () => {
  client = await new MongoClient(testEnv().mongodbUri).connect();
  db = client.db(uniqueDbName('pushdown'));
  const items = db.collection<Doc>('items');
  await items.createIndexes([
    { key: { s: 1 }, name: 's_1' },
    { key: { n: 1 }, name: 'n_1' },
    { key: { d: 1 }, name: 'd_1' },
    { key: { b: 1 }, name: 'b_1' },
    { key: { o: 1 }, name: 'o_1' },
    { key: { a: 1, k: -1 }, name: 'a_1_k_-1' },
    { key: { 'p.q': 1 }, name: 'p.q_1' },
  ]);
  await items.insertMany(docs);
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

test('_id lookups, alone or with other conditions, use the _id index', async () => {
  expect(await ids('items', { _id: 1, s: 'x' })).toEqual([1]);
  const items = db.collection('oids');
  const [first, second] = [new ObjectId(), new ObjectId()];
  await items.insertMany([{ _id: first, status: 'A' }, { _id: second, status: 'B' }]);
  expect((await items.find({ _id: first, status: 'A' }).toArray()).map((doc) => doc._id)).toEqual([first]);
  expect((await items.find({ _id: { $in: [first, second] } }).toArray()).length).toBe(2);
  await expectIndexed('oids', { _id: first, status: 'A' }, '_id_');
  await expectIndexed('oids', { _id: { $in: [first, second] } }, '_id_');
});

test('numbers: int, long and double compare by value, strings and near misses do not match', async () => {
  expect(await ids('items', { n: 5 })).toEqual([1, 2, 3]);
  expect(await ids('items', { n: new Double(5) })).toEqual([1, 2, 3]);
  expect(await ids('items', { n: { $in: [5, 5.5] } })).toEqual([1, 2, 3, 4]);
  expect(await ids('items', { n: { $gt: 5 } })).toEqual([4, 5, 9]);
  expect(await ids('items', { n: { $gte: 5, $lt: 5.5 } })).toEqual([1, 2, 3, 5]);
  expect(await ids('items', { n: { $lte: 5.000000000000001 } })).toEqual([1, 2, 3, 5]);
  expect(await ids('items', { n: 5.000000000000001 })).toEqual([5]);
  expect(await ids('items', { n: { $gt: Long.fromString('9007199254740992') } })).toEqual([9]);
  expect(await ids('items', { n: '5' })).toEqual([7]);
  await expectIndexed('items', { n: 5 }, 'n_1');
  await expectIndexed('items', { n: { $gte: 5, $lt: 5.5 } }, 'n_1');
  await expectIndexed('items', { n: { $in: [5, 6] } }, 'n_1');
});

test('strings, ObjectIds, booleans and dates match only their own BSON type', async () => {
  expect(await ids('items', { s: 'x' })).toEqual([1]);
  expect(await ids('items', { s: { $in: ['x', 'y'] } })).toEqual([1, 2]);
  expect(await ids('items', { s: { $gt: 'x' } })).toEqual([2]);
  expect(await ids('items', { s: { $lt: 'x' } })).toEqual([6]);
  expect(await ids('items', { o: oid })).toEqual([1]);
  expect(await ids('items', { o: oid.toHexString() })).toEqual([6]);
  expect(await ids('items', { b: true })).toEqual([1]);
  expect(await ids('items', { b: { $gte: false } })).toEqual([1, 10]);
  expect(await ids('items', { d: day })).toEqual([1]);
  expect(await ids('items', { d: { $gte: day, $lte: new Date(day.getTime() + 1) } })).toEqual([1, 2]);
  expect(await ids('items', { d: { $lt: new Date(day.getTime() + 1) } })).toEqual([1]);
  await expectIndexed('items', { s: 'x' }, 's_1');
  await expectIndexed('items', { o: oid }, 'o_1');
  await expectIndexed('items', { b: true }, 'b_1');
  await expectIndexed('items', { d: { $gte: day, $lte: new Date() } }, 'd_1');
});

test('null, missing fields and operators that cannot be pushed down keep MongoDB results (and are not pushed)', async () => {
  expect(await ids('items', { s: null })).toEqual([3, 4, 5, 7, 8, 9, 10]);
  expect(await ids('items', { s: { $in: ['x', null] } })).toEqual([1, 3, 4, 5, 7, 8, 9, 10]);
  expect(await ids('items', { s: { $ne: 'x' } })).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(await ids('items', { s: { $exists: true } })).toEqual([1, 2, 5, 6]);
  expect(await ids('items', { s: /^x/ })).toEqual([1]);
  expect(await ids('items', { unindexed: 'x' })).toEqual([]);
  await expectScanned('items', { s: null });
  await expectScanned('items', { s: { $in: ['x', null] } });
  await expectScanned('items', { unindexed: 'x' });
});

test('compound indexes serve their leading fields in index order, dotted paths their nested field', async () => {
  expect(await ids('items', { a: 'A', k: { $gte: 1 } })).toEqual([1, 2]);
  expect(await ids('items', { a: 'B' })).toEqual([3]);
  expect(await ids('items', { 'p.q': 'deep' })).toEqual([1]);
  await expectIndexed('items', { a: 'A', k: { $gte: 1 } }, 'a_1_k_-1');
  await expectIndexed('items', { 'p.q': 'deep' }, 'p.q_1');
  // updates, deletes and findAndModify take the same path
  const updated = await db.collection<Doc>('items').updateOne({ a: 'B', k: 1 }, { $set: { touched: true } });
  expect(updated.modifiedCount).toBe(1);
});

test('an array stored on an indexed path makes the index multikey: matches inside arrays are still found', async () => {
  const tags = db.collection<Doc>('tags');
  await tags.createIndexes([{ key: { t: 1 } }, { key: { 'm.v': 1 } }, { key: { u: 1 } }]);
  await tags.insertMany([
    { _id: 1, t: 'x', m: { v: 1 }, u: 1 },
    { _id: 2, t: 'y', m: { v: 2 }, u: 2 },
  ]);
  await expectIndexed('tags', { t: 'x' }, 't_1');
  await expectIndexed('tags', { 'm.v': 1 }, 'm.v_1');

  await tags.insertOne({ _id: 3, t: ['w', 'x'], m: [{ v: 1 }, { v: 3 }], u: 3 });
  expect(await ids('tags', { t: 'x' })).toEqual([1, 3]);
  expect(await ids('tags', { t: { $in: ['w'] } })).toEqual([3]);
  expect(await ids('tags', { 'm.v': { $gte: 1, $lte: 1 } })).toEqual([1, 3]);
  await expectScanned('tags', { t: 'x' });
  await expectScanned('tags', { 'm.v': 1 });

  // an update that turns a scalar into an array does the same
  await expectIndexed('tags', { u: 4 }, 'u_1');
  await tags.updateOne({ _id: 2 }, { $set: { u: [2, 4] } });
  expect(await ids('tags', { u: 4 })).toEqual([2]);
  await expectScanned('tags', { u: 4 });

  // and so does an index created over documents that already hold arrays
  await tags.createIndex({ t: -1 });
  expect(await ids('tags', { t: 'w' })).toEqual([3]);
  await expectScanned('tags', { t: 'w' });
});
