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

/** A line with its box's memory looked up once (a drop's thousands of waiters are scanned on every change). */
interface HeldLine {
  memory: BoxMemory;
  quantity: number;
}

interface Waiter {
  held: readonly HeldLine[];
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

  const held = (lines: readonly GateLine[]): HeldLine[] => lines.map((line) => ({ memory: memoryOf(line.boxId), quantity: line.quantity }));

  /** The refusal memory gives for these lines right now: a box with too few units and no order in flight to wait for. */
  function refusalOf(lines: readonly HeldLine[]): Error | null {
    for (const { memory, quantity } of lines) {
      if (memory.known === null || memory.inFlight > 0 || memory.known >= quantity) continue;
      memory.asked = true;
      return memory.known > 0
        ? new OutOfStock(`only ${memory.known} left of box ${memory.boxId.toHexString()}`)
        : new SoldOut(memory.boxId, memory.availableAgainAt);
    }
    return null;
  }

  const inStock = (lines: readonly HeldLine[]) => lines.every(({ memory, quantity }) => free(memory) >= quantity);
  const fits = (lines: readonly HeldLine[]) => placing < placingLimit && inStock(lines);

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
          if (memory.known === 0 && memory.inFlight === 0) void read(memory).catch(() => undefined);
        }
        pump();
      },
    };
  }

  /**
   * After anything changed (an order settled, a read came back, a tick): admit who fits now, in arrival order;
   * refuse who can no longer hope. Afterwards either every placing slot is taken or no waiter fits, which is why
   * a new arrival that fits may go straight in without passing anyone (admit()).
   */
  function pump(): void {
    if (waiters.length === 0) return;
    const now = Date.now();
    const still: Waiter[] = [];
    for (const waiter of waiters) {
      // A read under way says when units may come back: the refusal waits for it (a moment, no extra cost).
      if (waiter.held.some(({ memory }) => memory.reading)) {
        still.push(waiter);
        continue;
      }
      const refusal = refusalOf(waiter.held) ?? (now - waiter.since >= WAIT_MS && !inStock(waiter.held) ? soldOutFor(waiter.held) : null);
      if (refusal) waiter.refuse(refusal);
      else if (fits(waiter.held)) waiter.admit();
      else still.push(waiter);
    }
    waiters = still;
  }

  /** Every unit left is held by orders being placed, for longer than a shopper should wait: sold out for now. */
  function soldOutFor(lines: readonly HeldLine[]): Error {
    const { memory } = lines.find((line) => free(line.memory) < line.quantity) ?? lines[0]!;
    memory.asked = true;
    return new SoldOut(memory.boxId, memory.availableAgainAt);
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
    /** The refusal memory already holds for these lines (sold out, short), without a read or a wait; null: ask admit(). */
    refusalFromMemory: (lines: readonly GateLine[]): Error | null => refusalOf(held(lines)),

    /**
     * A place for these lines among the orders being placed, or the refusal: sold out (or short) from memory, or
     * after waiting for the orders in flight. A box never seen before costs one read, shared by all who ask.
     */
    async admit(lines: readonly GateLine[]): Promise<Admission> {
      const taking = held(lines);
      const pending = taking.map(({ memory }) => memory).filter((memory) => memory.known === null || memory.reading);
      await Promise.all(pending.map((memory) => memory.reading ?? read(memory)));
      const refusal = refusalOf(taking);
      if (refusal) throw refusal;
      if (fits(taking)) return admission(lines, taking);
      return new Promise<Admission>((resolve, reject) => {
        waiters.push({ held: taking, lines, since: Date.now(), admit: () => resolve(admission(lines, taking)), refuse: reject });
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
