import { AsyncResource } from 'node:async_hooks';
import type { Types } from 'mongoose';
import type { StockLedger } from '../catalog/stock';
import { shortOfUnits } from '../catalog/catalog-errors';

/** How often a box remembered sold out is read again (in the background, never by a waiting shopper). */
const REFRESH_MS = 250;

export interface GateLine {
  boxId: Types.ObjectId;
  quantity: number;
}

/** A place among the orders being placed; settled once, by whoever learns first whether the units were taken. */
export interface Admission {
  readonly lines: readonly GateLine[];
  settle(taken: boolean): void;
}

/** What the gate knows of one box's units (the box itself is remembered by catalog/box-memory.ts). */
interface UnitsMemory {
  boxId: Types.ObjectId;
  /**
   * Units this process believes are for sale: the database's count when last read, less what its own orders
   * took since. Infinity for a box with no counter (whole-set boxes, unknown ids): the gate lets those through.
   * Other processes' sales make it too high (the reservation still refuses) and returns elsewhere too low (the
   * background read finds them): it is never the guard, only what keeps the losers away from the database.
   */
  known: number | null;
  /** Units admitted to orders this process is placing right now. */
  inFlight: number;
  /** Units claimed by shoppers waiting in line for a placing slot. */
  queued: number;
  availableAgainAt: Date | null;
  /** A shopper was refused since the last refresh: keep reading while the box is still wanted. */
  asked: boolean;
  reading: Promise<void> | null;
}

/** A line with its box's memory looked up once (a drop's thousands of arrivals are sorted on every change). */
interface HeldLine {
  memory: UnitsMemory;
  quantity: number;
}

interface Waiter {
  held: readonly HeldLine[];
  lines: readonly GateLine[];
  admit(): void;
  refuse(error: Error): void;
}

/**
 * The stock gate: a drop's many arrivals for few units are sorted in memory, so only the shoppers who can
 * still get a unit reach the database, and everyone else is answered at once, without a read or a write.
 * Each arrival claims its units from what this process believes is left:
 * - while unclaimed units remain, it is admitted to place its order (rate limit, reservation, the order), or,
 *   when every placing slot is busy, waits its turn in line, first come, first served;
 * - once every unit left is claimed by shoppers ahead (placing or in line), it is refused: sold out. A claim
 *   that fails (the order refused for another reason) frees its units for the next arrival;
 * - a box with none left and none in flight is read again every REFRESH_MS in the background while shoppers
 *   keep asking (units come back when a payment window ends).
 * It is also the bulkhead: at most `placingLimit` orders with counted units are placed at once in this process, so
 * ordering never takes every database connection from the payment callbacks, which WeChat and Alipay give seconds
 * to answer.
 * Built once per process with the order service; the stock reservation stays the real guard against overselling.
 */
export function stockGate(stock: Pick<StockLedger, 'available' | 'nextReturnAt'>, placingLimit: number, refreshMs = REFRESH_MS) {
  const memories = new Map<string, UnitsMemory>();
  let waiters: Waiter[] = [];
  /** Callers of untilLineEmpty, woken when the last shopper in line is admitted or refused. */
  const lineEmptied = new Set<() => void>();
  /** Orders admitted and not yet settled, in this process. */
  let placing = 0;

  const memoryOf = (boxId: Types.ObjectId): UnitsMemory => {
    const key = boxId.toHexString();
    let memory = memories.get(key);
    if (!memory) memories.set(key, (memory = { boxId, known: null, inFlight: 0, queued: 0, availableAgainAt: null, asked: false, reading: null }));
    return memory;
  };
  const held = (lines: readonly GateLine[]): HeldLine[] => lines.map((line) => ({ memory: memoryOf(line.boxId), quantity: line.quantity }));
  /** Units nobody has claimed yet. */
  const unclaimed = (memory: UnitsMemory) => (memory.known ?? 0) - memory.inFlight - memory.queued;

  /**
   * A read nobody waits for (after the last unit went), started in the context the gate was built in, outside the
   * request that happened to settle the last unit: that request's answer does not depend on it, so its database
   * operations are not that request's (db/command-counts.ts).
   */
  const readInBackground = AsyncResource.bind((memory: UnitsMemory) => void read(memory).catch(() => undefined));

  /** One read per box at a time, however many shoppers need it: they all wait for the same one. */
  function read(memory: UnitsMemory): Promise<void> {
    memory.reading ??= (async () => {
      const available = (await stock.available([memory.boxId])).get(memory.boxId.toHexString());
      memory.known = available ?? Number.POSITIVE_INFINITY;
      memory.availableAgainAt = available === 0 ? await stock.nextReturnAt(memory.boxId) : null;
    })().finally(() => {
      memory.reading = null;
      pump();
    });
    return memory.reading;
  }

  /** The refusal for an arrival whose units are all claimed by shoppers ahead; null while some are unclaimed. */
  function refusalOf(lines: readonly HeldLine[]): Error | null {
    for (const { memory, quantity } of lines) {
      if (memory.known === null || unclaimed(memory) >= quantity) continue;
      memory.asked = true;
      return shortOfUnits(memory.boxId, Math.max(0, unclaimed(memory)), memory.availableAgainAt);
    }
    return null;
  }

  function admission(lines: readonly GateLine[], taking: readonly HeldLine[]): Admission {
    for (const { memory, quantity } of taking) memory.inFlight += quantity;
    placing += 1;
    let settled = false;
    return {
      lines,
      settle(taken) {
        if (settled) return;
        settled = true;
        placing -= 1;
        for (const { memory, quantity } of taking) {
          memory.inFlight -= quantity;
          if (taken && memory.known !== null) memory.known = Math.max(0, memory.known - quantity);
          // The last unit went: learn when held units may come back, for the sold-out answers to say so.
          if (memory.known === 0 && memory.inFlight === 0) readInBackground(memory);
        }
        pump();
      },
    };
  }

  /**
   * After anything changed (an order settled, a read came back, units returned): the line, in arrival order,
   * is given the free placing slots; who no longer has units to claim (another process sold them, a read found
   * fewer) is refused. Afterwards either every slot is busy or nobody waits, which is why an arrival with
   * unclaimed units and a free slot may go straight in without passing anyone (admit()).
   */
  function pump(): void {
    if (waiters.length > 0) {
      for (const { held: lines } of waiters) for (const { memory, quantity } of lines) memory.queued -= quantity;
      const still: Waiter[] = [];
      for (const waiter of waiters) {
        const refusal = refusalOf(waiter.held);
        if (refusal) {
          waiter.refuse(refusal);
        } else if (placing < placingLimit) {
          waiter.admit();
        } else {
          for (const { memory, quantity } of waiter.held) memory.queued += quantity;
          still.push(waiter);
        }
      }
      waiters = still;
    }
    if (waiters.length === 0) for (const wake of lineEmptied) wake();
  }

  // Started with the service (built once, outside any request); unref'd: it never keeps a process alive.
  let refreshing = false;
  setInterval(() => {
    if (refreshing) return;
    const wanted = [...memories.values()].filter((memory) => memory.asked && memory.known === 0 && memory.inFlight === 0);
    if (wanted.length === 0) return;
    refreshing = true;
    // One read at a time; a failed one keeps what it knew, and the next tick tries again.
    void (async () => {
      for (const memory of wanted) {
        memory.asked = false;
        await read(memory).catch(() => undefined);
      }
    })().finally(() => {
      refreshing = false;
    });
  }, refreshMs).unref();

  return {
    /**
     * Resolves once nobody in this process waits in line for a placing slot, or after `maxMs`: for work that
     * should let the line go first (order.service.ts placingsFirst). At once when nobody waits.
     */
    untilLineEmpty(maxMs: number): Promise<void> {
      if (waiters.length === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          lineEmptied.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, maxMs);
        lineEmptied.add(wake);
      });
    },

    /** The refusal memory already holds for these lines (sold out, short), without a read or a wait; null: ask admit(). */
    refusalFromMemory: (lines: readonly GateLine[]): Error | null => refusalOf(held(lines)),

    /**
     * A place among the orders being placed (at once, or after waiting for a slot), or the refusal: sold out or
     * short, every unit left being claimed by shoppers ahead. A box never seen before costs one read, shared by
     * all who ask meanwhile.
     */
    async admit(lines: readonly GateLine[]): Promise<Admission> {
      // Nothing counted to claim (whole-set picks only): no slot either. Their guard is the position hold, and a
      // pick that loses its position must not keep a drop's placing slot busy while it fails.
      if (lines.length === 0) return { lines, settle: () => undefined };
      const taking = held(lines);
      const pending = taking.map(({ memory }) => memory).filter((memory) => memory.known === null || memory.reading);
      await Promise.all(pending.map((memory) => memory.reading ?? read(memory)));
      const refusal = refusalOf(taking);
      if (refusal) throw refusal;
      if (placing < placingLimit) return admission(lines, taking);
      for (const { memory, quantity } of taking) memory.queued += quantity;
      return new Promise<Admission>((resolve, reject) => {
        waiters.push({ held: taking, lines, admit: () => resolve(admission(lines, taking)), refuse: reject });
      });
    },

    /** The reservation refused: the database says `left` units remain (what another process sold, we now know). */
    learnShort(boxId: Types.ObjectId, left: number, availableAgainAt: Date | null): void {
      const memory = memoryOf(boxId);
      memory.known = left;
      memory.availableAgainAt = availableAgainAt;
      memory.asked = true;
      pump();
    },

    /** Units this process gave back (an order closed): for sale again at once, without waiting for a read. */
    returned(lines: readonly GateLine[]): void {
      for (const line of lines) {
        const memory = memoryOf(line.boxId);
        if (memory.known !== null && Number.isFinite(memory.known)) memory.known += line.quantity;
      }
      pump();
    },
  };
}

export type StockGate = ReturnType<typeof stockGate>;
