import { settledWithin } from '../../test/support/settled-within';
import { readMemory } from './read-memory';

/** A read that lands when the test says: what a read waiting behind a drop's writes looks like to its callers. */
function heldReads() {
  const pending: Array<() => void> = [];
  let value = 1;
  let count = 0;
  return {
    set: (next: number) => void (value = next),
    get count() {
      return count;
    },
    land: () => pending.splice(0).forEach((release) => release()),
    readMany: (keys: string[]) => {
      count += 1;
      const answer = new Map(keys.map((key) => [key, value]));
      return new Promise<Map<string, number>>((resolve) => pending.push(() => resolve(answer)));
    },
  };
}

test('past its time a value is answered at once while one read refreshes it; a key never read waits for its read', async () => {
  const reads = heldReads();
  const memory = readMemory(100, reads.readMany);

  // Never read: everyone waits for the one read.
  const first = [memory.get(['box']), memory.get(['box'])];
  expect(await settledWithin(first[0]!, 30)).toBe(false);
  reads.land();
  expect((await Promise.all(first)).map((found) => found.get('box'))).toEqual([1, 1]);
  expect(reads.count).toBe(1);

  // Past the memory's time, with the refreshing read held up: answered from memory at once, one read for all.
  await new Promise((resolve) => setTimeout(resolve, 120));
  reads.set(2);
  const during = await Promise.all(Array.from({ length: 5 }, () => memory.get(['box'])));
  expect(during.map((found) => found.get('box'))).toEqual([1, 1, 1, 1, 1]);
  expect(reads.count).toBe(2);
  reads.land();
  await new Promise((resolve) => setImmediate(resolve));
  expect((await memory.get(['box'])).get('box')).toBe(2);
  expect(reads.count).toBe(2);
});

test('a refresh that fails changes nothing and is tried again by the next caller; with no memory every call reads and waits', async () => {
  let fail = false;
  let count = 0;
  const memory = readMemory(50, async (keys) => {
    count += 1;
    if (fail) throw new Error('the database went away');
    return new Map(keys.map((key) => [key, count]));
  });
  expect((await memory.get(['box'])).get('box')).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 60));
  fail = true;
  expect((await memory.get(['box'])).get('box')).toBe(1);
  await new Promise((resolve) => setImmediate(resolve));
  expect(count).toBe(2);
  fail = false;
  await memory.get(['box']);
  await new Promise((resolve) => setImmediate(resolve));
  expect((await memory.get(['box'])).get('box')).toBe(3);
  expect(count).toBe(3);

  const reads = heldReads();
  const none = readMemory(0, reads.readMany);
  const asked = none.get(['box']);
  expect(await settledWithin(asked, 30)).toBe(false);
  reads.land();
  await asked;
  const again = none.get(['box']);
  expect(await settledWithin(again, 30)).toBe(false);
  reads.land();
  await again;
  expect(reads.count).toBe(2);
});
