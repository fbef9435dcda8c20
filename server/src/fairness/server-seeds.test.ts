import { Types } from 'mongoose';
import { seedHash } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { serverSeedModel } from './fairness.model';
import { serverSeeds, toPublicSeed } from './server-seeds';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(async () => {
  await server.stop();
});

const HOUR = 3600_000;

test('concurrent uses at the scheduled time promote the queued seed, commit exactly one new one behind it, and retire the old one', async () => {
  const seeds = serverSeeds(server.container.db, { rotateEveryMs: HOUR });
  const boxId = new Types.ObjectId();
  const start = new Date('2026-12-01T00:00:00Z');
  const first = await seeds.current(boxId, start);
  expect(first.generation).toBe(1);
  // The next seed is committed with the first: public a whole period before any order can take it.
  const queued = await seeds.queued(boxId, start);
  expect([queued.generation, queued.committedAt.getTime(), queued.rotateAt.getTime()]).toEqual([2, start.getTime(), start.getTime() + 2 * HOUR]);
  expect(first.hash).toBe(seedHash(first.seed));
  expect((await seeds.current(boxId, new Date(start.getTime() + HOUR / 2)))._id).toBe(first._id);

  const due = new Date(start.getTime() + HOUR);
  const taken = await Promise.all(Array.from({ length: 20 }, () => seeds.current(boxId, due)));
  expect(new Set(taken.map((seed) => seed._id))).toEqual(new Set([`${boxId.toHexString()}:2`]));
  expect(taken[0]!.committedAt.getTime()).toBe(start.getTime());
  const all = await serverSeedModel(server.container.db).find({ boxId }).sort({ generation: 1 }).lean();
  expect(all.map((seed) => [seed.generation, seed.retiredAt?.getTime() ?? null])).toEqual([
    [1, due.getTime()],
    [2, null],
    [3, null],
  ]);
});

test('a seed is shown only once retired and past the payment window of the last order that took it, and no order takes a retired seed', async () => {
  const seeds = serverSeeds(server.container.db, { rotateEveryMs: 24 * HOUR });
  const boxId = new Types.ObjectId();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 15 * 60_000);
  const requestedAt = new Date(now.getTime() + 1);
  // Committed inside the request (a box's first seeds made by its first order): refused, never used.
  await expect(seeds.takeForOrder(boxId, 1, expiresAt, new Date(now.getTime() - 1), now)).rejects.toMatchObject({ code: 'SEED_NOT_READY' });
  const taken = await seeds.takeForOrder(boxId, 1, expiresAt, requestedAt, now);
  expect(toPublicSeed(taken, now).seed).toBeNull();

  const { retired, current } = await seeds.rotate(boxId, now);
  expect(retired?._id).toBe(taken._id);
  expect(current._id).not.toBe(taken._id);
  expect(toPublicSeed(retired!, now)).toMatchObject({ seed: null, revealedAt: null });
  expect(toPublicSeed(retired!, new Date(expiresAt.getTime() - 1)).seed).toBeNull();
  expect(toPublicSeed(retired!, expiresAt)).toMatchObject({ seed: taken.seed, revealedAt: expiresAt });

  // Orders placed while it rotates take either seed, but a retired one never gains an order.
  const boxB = new Types.ObjectId();
  await seeds.current(boxB, now);
  const racing = await Promise.all([
    ...Array.from({ length: 20 }, () => seeds.takeForOrder(boxB, 1, expiresAt, requestedAt, now)),
    seeds.rotate(boxB, now).then(() => null),
  ]);
  const docs = await serverSeedModel(server.container.db).find({ boxId: boxB }).lean();
  for (const seed of racing) {
    if (!seed) continue;
    const doc = docs.find((candidate) => candidate._id === seed._id)!;
    expect(doc.lastOrderExpiresAt?.getTime()).toBe(expiresAt.getTime());
  }
});

test('orders of the next moments take the remembered seed without a read or a write, never one revealed before their deadline', async () => {
  const step = 60_000;
  const seeds = serverSeeds(server.container.db, { rotateEveryMs: 24 * HOUR, revealStepMs: step });
  const Seed = serverSeedModel(server.container.db);
  const boxId = new Types.ObjectId();
  const now = new Date();
  await seeds.current(boxId, new Date(now.getTime() - 1000));
  const expiresAt = new Date(now.getTime() + 15 * 60_000);
  const requestedAt = new Date(now.getTime() + 1);
  const first = await seeds.takeForOrder(boxId, 1, expiresAt, requestedAt, now);
  expect((await Seed.findById(first._id).lean())?.lastOrderExpiresAt?.getTime()).toBe(expiresAt.getTime() + step);

  // Retired elsewhere (an operator's rotation): an order whose deadline is under the stored floor still takes it,
  // and the seed's reveal time is not before that order's deadline.
  await Seed.updateOne({ _id: first._id }, { $set: { retiredAt: now } });
  const later = new Date(expiresAt.getTime() + step / 2);
  expect((await seeds.takeForOrder(boxId, 1, later, requestedAt, now))._id).toBe(first._id);
  const retired = (await Seed.findById(first._id).lean())!;
  expect(retired.lastOrderExpiresAt?.getTime()).toBe(expiresAt.getTime() + step);
  expect(toPublicSeed(retired, later).seed).toBeNull();

  // Past the floor the write is refused by the retirement: the order reads and takes the current seed.
  const beyond = new Date(expiresAt.getTime() + 2 * step);
  const next = await seeds.takeForOrder(boxId, 1, beyond, requestedAt, now);
  expect(next._id).not.toBe(first._id);
  expect((await Seed.findById(next._id).lean())?.lastOrderExpiresAt?.getTime()).toBe(beyond.getTime() + step);
  expect((await Seed.findById(first._id).lean())?.lastOrderExpiresAt?.getTime()).toBe(expiresAt.getTime() + step);

  // A new box version is never served the seed remembered for the old one: it reads the current one again.
  await Seed.updateOne({ _id: next._id }, { $set: { retiredAt: now } });
  const forVersion2 = await seeds.takeForOrder(boxId, 2, beyond, requestedAt, now);
  expect(forVersion2._id).not.toBe(next._id);
  expect(forVersion2.generation).toBeGreaterThan(next.generation);
});
