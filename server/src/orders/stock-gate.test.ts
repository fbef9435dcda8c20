import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { settledWithin } from '../../test/support/settled-within';
import { stockGate, type Admission } from './stock-gate';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** The real ledger, with its reads counted: the gate's promise is that losers cost none. */
function countedLedger() {
  const stock = server.container.stock;
  const reads = { count: 0 };
  return {
    reads,
    ledger: {
      available: (boxIds: readonly Types.ObjectId[]) => ((reads.count += 1), stock.available(boxIds)),
      nextReturnAt: (boxId: Types.ObjectId) => ((reads.count += 1), stock.nextReturnAt(boxId)),
    },
  };
}

/** What placing does between admission and settling: the real reservation, then settle with whether it took the units. */
async function place(admission: Admission): Promise<void> {
  const short = await server.container.stock.reserve(new Types.ObjectId(), admission.lines, new Date(Date.now() + 600_000));
  admission.settle(short === null);
}

async function boxWith(units: number): Promise<Types.ObjectId> {
  const boxId = new Types.ObjectId();
  await server.container.stock.stockIfNew(boxId, { only: units });
  return boxId;
}

/** Settles in the background; what each arrival came to: admitted (with its admission) or the refusal's code. */
const outcomes = (attempts: Array<Promise<Admission>>) =>
  attempts.map((attempt) => attempt.then((admission) => ({ admission, code: 'ADMITTED' }), (error: { code?: string }) => ({ admission: null, code: error.code ?? String(error) })));

test('as many admitted as there are units, everyone after them refused at once from memory; a failed order frees its unit for the next arrival', async () => {
  const boxId = await boxWith(3);
  const { ledger, reads } = countedLedger();
  const gate = stockGate(ledger, 100);
  const line = [{ boxId, quantity: 1 }];
  const arrivals = await Promise.all(outcomes(Array.from({ length: 20 }, () => gate.admit(line))));
  expect(arrivals.map((outcome) => outcome.code)).toEqual([...Array(3).fill('ADMITTED'), ...Array(17).fill('SOLD_OUT')]);
  // One read for the box, shared by all twenty.
  expect(reads.count).toBe(1);

  // One order fails (its unit was never taken): the next arrival gets it.
  arrivals[0]!.admission!.settle(false);
  const next = await gate.admit(line);
  for (const admission of [arrivals[1]!.admission!, arrivals[2]!.admission!, next]) await place(admission);

  // Late arrivals: from memory, no read of their own (the one read after the last unit learns when units may return).
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = reads.count;
  await expect(gate.admit(line)).rejects.toMatchObject({ code: 'SOLD_OUT' });
  expect(reads.count).toBe(before);
});

test('with every placing slot busy, arrivals wait in line and are refused once the units are all claimed', async () => {
  const boxId = await boxWith(3);
  const gate = stockGate(server.container.stock, 1);
  const line = [{ boxId, quantity: 1 }];
  const arrivals = outcomes(Array.from({ length: 6 }, () => gate.admit(line)));
  const first = await arrivals[0]!;
  expect(first.code).toBe('ADMITTED');
  // Two more claim the other units and wait; the last three are refused without waiting.
  expect((await Promise.all(arrivals.slice(3))).map((outcome) => outcome.code)).toEqual(['SOLD_OUT', 'SOLD_OUT', 'SOLD_OUT']);
  await place(first.admission!);
  const second = await arrivals[1]!;
  await place(second.admission!);
  const third = await arrivals[2]!;
  await place(third.admission!);
  expect([first, second, third].map((outcome) => outcome.code)).toEqual(['ADMITTED', 'ADMITTED', 'ADMITTED']);
});

test('units given back in this process are for sale again at once; returns elsewhere are found by the background read', async () => {
  const boxId = await boxWith(1);
  const gate = stockGate(server.container.stock, 100, 50);
  const line = [{ boxId, quantity: 1 }];
  await place(await gate.admit(line));
  await expect(gate.admit(line)).rejects.toMatchObject({ code: 'SOLD_OUT' });

  // (The order closed and its hold went back, as releaseResources does before telling the gate.)
  await server.container.stock.setAvailable(boxId, 1);
  gate.returned(line);
  const again = await gate.admit(line);
  await place(again);
  await expect(gate.admit(line)).rejects.toMatchObject({ code: 'SOLD_OUT' });

  // Another process restocked the box: the gate learns it within a few refreshes while shoppers keep asking.
  await server.container.stock.setAvailable(boxId, 1);
  const deadline = Date.now() + 10_000;
  let admitted: Admission | null = null;
  while (!admitted && Date.now() < deadline) {
    admitted = await gate.admit(line).catch(() => null);
    if (!admitted) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(admitted).not.toBeNull();
});

test('at most the placing limit at once, first come first served, whatever the stock', async () => {
  const boxId = await boxWith(1_000);
  const gate = stockGate(server.container.stock, 2);
  const order: number[] = [];
  const arrivals = Array.from({ length: 6 }, (_, index) =>
    gate.admit([{ boxId, quantity: 1 }]).then((admission) => {
      order.push(index);
      return admission;
    }),
  );
  const [a, b] = await Promise.all(arrivals.slice(0, 2));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(order).toEqual([0, 1]);
  a!.settle(true);
  b!.settle(false);
  const [c, d] = await Promise.all(arrivals.slice(2, 4));
  expect(order).toEqual([0, 1, 2, 3]);
  c!.settle(true);
  d!.settle(true);
  for (const admission of await Promise.all(arrivals.slice(4))) admission.settle(true);
  expect(order).toEqual([0, 1, 2, 3, 4, 5]);
});

test('a box without a counter (whole sets, unknown ids) is never refused by the gate', async () => {
  const gate = stockGate(server.container.stock, 10);
  const admission = await gate.admit([{ boxId: new Types.ObjectId(), quantity: 5 }]);
  admission.settle(true);
  (await gate.admit([{ boxId: new Types.ObjectId(), quantity: 5 }])).settle(false);
});

test('whole-set picks (no counted units) never wait for a placing slot, nor take one', async () => {
  const boxId = await boxWith(5);
  const { ledger } = countedLedger();
  const gate = stockGate(ledger, 1);
  const busy = await gate.admit([{ boxId, quantity: 1 }]);
  // The one slot is taken: a counted order waits, a set pick goes straight in.
  let waited = true;
  const waiting = gate.admit([{ boxId, quantity: 1 }]).then((admission) => ((waited = false), admission));
  const pick = await gate.admit([]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(waited).toBe(true);
  pick.settle(false);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(waited).toBe(true);
  busy.settle(false);
  (await waiting).settle(false);
  expect(waited).toBe(false);
});

test('what lets the line go first (a prepay) goes on at once with nobody in line, once the last in line is admitted, or after its wait at most', async () => {
  const boxId = await boxWith(10);
  const gate = stockGate(server.container.stock, 1);
  const line = [{ boxId, quantity: 1 }];

  // Nobody in line (one placing, the slot's own): at once.
  const busy = await gate.admit(line);
  expect(await settledWithin(gate.untilLineEmpty(60_000), 20)).toBe(true);

  // Two in line: waits while they wait, goes on when the last of them is admitted.
  const inLine = [gate.admit(line), gate.admit(line)];
  await new Promise((resolve) => setTimeout(resolve, 20));
  const prepay = gate.untilLineEmpty(60_000);
  expect(await settledWithin(prepay, 50)).toBe(false);
  busy.settle(true);
  const second = await inLine[0]!;
  expect(await settledWithin(prepay, 50)).toBe(false);
  second.settle(true);
  (await inLine[1]!).settle(true);
  expect(await settledWithin(prepay, 20)).toBe(true);

  // A line that does not move: no longer than asked.
  const stuck = await gate.admit(line);
  const waiting = gate.admit(line);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const startedAt = Date.now();
  await gate.untilLineEmpty(200);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
  stuck.settle(true);
  (await waiting).settle(true);
});
