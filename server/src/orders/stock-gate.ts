import type { Types } from 'mongoose';
import type { StockLedger } from '../catalog/stock';
import { OutOfStock, SoldOut } from '../catalog/catalog-errors';

/** How often a box remembered sold out is read again (in the background, never by a waiting shopper). */
const REFRESH_MS = 250;
/**
 * Longest a shopper waits in memory for the orders being placed to finish, when every unit left is taken by
 * them: past it, the box is answered sold out for now (those orders will hold the units until paid or closed).
 */
const WAIT_MS = 2_000;

export interface GateLine {
  boxId: Types.ObjectId;
  quantity: number;
}

/** A place among the orders being placed; settled once, by whoever learns first whether the units were taken. */
export interface Admission {
  readonly lines: readonly GateLine[];
  settle(taken: boolean): void;
}

interface BoxMemory {
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
  availableAgainAt: Date | null;
  /** A shopper was refused since the last refresh: keep reading while the box is still wanted. */
  asked: boolean;
  reading: Promise<void> | null;
}

interface Waiter {
  lines: readonly GateLine[];
  /** Waiting since (ms): the stock wait is bounded by WAIT_MS; the wait for a free placing slot is not. */
  since: number;
  admit(): void;
  refuse(error: Error): void;
}

/**
 * The stock gate: a drop's many arrivals for few units are sorted in memory, so only as many orders as there
 * are units reach the database at once, and everyone else is answered without a read or a write:
 * - while units are free, an arrival is admitted (counted in flight) and goes on to the rate limit and the
 *   reservation;
 * - while every unit left is in flight, it waits, costing nothing, for those orders to finish: a unit given
 *   back admits the next in line (first come, first served), the last unit taken refuses all of them at once;
 * - once none are left and none in flight, the box is sold out: answered at once, read again every REFRESH_MS
 *   in the background while shoppers keep asking (units come back when a payment window ends).
 * It is also the bulkhead: at most `placingLimit` orders are placed at once in this process, the rest wait their
 * turn in the same line, so ordering never takes every database connection from the payment callbacks, which
 * WeChat and Alipay give seconds to answer.
 * Built once per process with the order service; the stock reservation stays the real guard against overselling.
 */
export function stockGate(stock: Pick<StockLedger, 'available' | 'nextReturnAt'>, placingLimit: number, refreshMs = REFRESH_MS) {
  const memories = new Map<string, BoxMemory>();
  let waiters: Waiter[] = [];
  /** Orders admitted and not yet settled, in this process. */
  let placing = 0;

  const memoryOf = (boxId: Types.ObjectId): BoxMemory => {
    const key = boxId.toHexString();
    let memory = memories.get(key);
    if (!memory) memories.set(key, (memory = { boxId, known: null, inFlight: 0, availableAgainAt: null, asked: false, reading: null }));
    return memory;
  };
  const free = (memory: BoxMemory) => (memory.known ?? 0) - memory.inFlight;

  /** One read per box at a time, however many shoppers need it: they all wait for the same one. */
  function read(memory: BoxMemory): Promise<void> {
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

  /** The refusal memory gives for these lines right now: a box with too few units and no order in flight to wait for. */
  function refusalOf(lines: readonly GateLine[]): Error | null {
    for (const line of lines) {
      const memory = memoryOf(line.boxId);
      if (memory.known === null || memory.inFlight > 0 || memory.known >= line.quantity) continue;
      memory.asked = true;
      return memory.known > 0
        ? new OutOfStock(`only ${memory.known} left of box ${line.boxId.toHexString()}`)
        : new SoldOut(line.boxId, memory.availableAgainAt);
    }
    return null;
  }

  const inStock = (lines: readonly GateLine[]) => lines.every((line) => free(memoryOf(line.boxId)) >= line.quantity);
  const fits = (lines: readonly GateLine[]) => placing < placingLimit && inStock(lines);

  function admission(lines: readonly GateLine[]): Admission {
    for (const line of lines) memoryOf(line.boxId).inFlight += line.quantity;
    placing += 1;
    let settled = false;
    return {
      lines,
      settle(taken) {
        if (settled) return;
        settled = true;
        placing -= 1;
        for (const line of lines) {
          const memory = memoryOf(line.boxId);
          memory.inFlight -= line.quantity;
          if (taken && memory.known !== null) memory.known = Math.max(0, memory.known - line.quantity);
          // The last unit went: learn when held units may come back, for the sold-out answers to say so.
          if (memory.known === 0 && memory.inFlight === 0) void read(memory).catch(() => undefined);
        }
        pump();
      },
    };
  }

  /** After anything changed: admit who fits now, in arrival order; refuse who can no longer hope. */
  function pump(): void {
    if (waiters.length === 0) return;
    const now = Date.now();
    const still: Waiter[] = [];
    for (const waiter of waiters) {
      // A read under way says when units may come back: the refusal waits for it (a moment, no extra cost).
      if (waiter.lines.some((line) => memoryOf(line.boxId).reading)) {
        still.push(waiter);
        continue;
      }
      const refusal = refusalOf(waiter.lines) ?? (now - waiter.since >= WAIT_MS && !inStock(waiter.lines) ? soldOutFor(waiter.lines) : null);
      if (refusal) waiter.refuse(refusal);
      else if (fits(waiter.lines)) waiter.admit();
      else still.push(waiter);
    }
    waiters = still;
  }

  /** Every unit left is held by orders being placed, for longer than a shopper should wait: sold out for now. */
  function soldOutFor(lines: readonly GateLine[]): Error {
    const short = lines.find((line) => free(memoryOf(line.boxId)) < line.quantity) ?? lines[0]!;
    const memory = memoryOf(short.boxId);
    memory.asked = true;
    return new SoldOut(short.boxId, memory.availableAgainAt);
  }

  // Started with the service (built once, outside any request); unref'd: it never keeps a process alive.
  let refreshing = false;
  setInterval(() => {
    // Waiters past WAIT_MS for stock are told at the next tick.
    pump();
    if (refreshing) return;
    const wanted = [...memories.values()].filter((memory) => memory.asked && memory.known !== null && free(memory) <= 0 && memory.inFlight === 0);
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
     * A place for these lines among the orders being placed, or the refusal: sold out (or short) from memory, or
     * after waiting for the orders in flight. A box never seen before costs one read, shared by all who ask.
     */
    /** The refusal memory already holds for these lines (sold out, short), without a read or a wait; null: ask admit(). */
    refusalFromMemory: (lines: readonly GateLine[]): Error | null => refusalOf(lines),

    async admit(lines: readonly GateLine[]): Promise<Admission> {
      const pending = lines.map((line) => memoryOf(line.boxId)).filter((memory) => memory.known === null || memory.reading);
      await Promise.all(pending.map((memory) => memory.reading ?? read(memory)));
      const refusal = refusalOf(lines);
      if (refusal) throw refusal;
      // First come, first served: nobody passes a shopper already waiting for a placing slot.
      if (fits(lines) && !waiters.some((waiter) => inStock(waiter.lines))) return admission(lines);
      return new Promise<Admission>((resolve, reject) => {
        waiters.push({ lines, since: Date.now(), admit: () => resolve(admission(lines)), refuse: reject });
      });
    },

    /** The reservation refused: the database says `left` units remain (what another process sold, we now know). */
    learnShort(boxId: Types.ObjectId, left: number, availableAgainAt: Date | null): void {
      const memory = memoryOf(boxId);
      memory.known = left;
      memory.availableAgainAt = availableAgainAt;
      memory.asked = true;
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
