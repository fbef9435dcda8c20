import { AsyncResource } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';

/** A failed task is tried again for this long (the database away for a moment), then left to its sweep. */
const RETRY_FOR_MS = 30_000;
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 4_000;

/**
 * Work a payment leaves for after its answer (the steps after the paid-and-drawn write that the channel's answer
 * does not depend on). Run outside the request that started it: in the async context this was built in (the
 * container, at start-up), so the request neither waits for it nor counts it as its own (db/command-counts.ts).
 * A failure is tried again for a while, as the channel's retry would have done had it been answered 5xx; what is
 * still undone after that, or after a crash, is for the caller's sweep to find (the work must be idempotent and
 * leave a durable mark until done). What is under way is kept, so shutting down can wait for it.
 */
export function afterAnswer(logger: Logger) {
  const running = new Set<Promise<void>>();
  let stopping = false;

  async function untilDone(what: string, fields: Record<string, unknown>, task: () => Promise<void>): Promise<void> {
    const startedAt = Date.now();
    for (let wait = FIRST_RETRY_MS; ; wait = Math.min(2 * wait, LONGEST_RETRY_MS)) {
      try {
        return await task();
      } catch (error) {
        if (stopping || Date.now() - startedAt + wait > RETRY_FOR_MS) {
          logger.error({ ...fields, err: error }, `${what} failed; its sweep finishes it`);
          return;
        }
        logger.warn({ ...fields, err: error }, `${what} failed; trying again`);
        await sleep(wait);
      }
    }
  }

  // Bound now, outside any request: every task starts in this context, not its caller's.
  const outside = AsyncResource.bind((what: string, fields: Record<string, unknown>, task: () => Promise<void>) =>
    new Promise<void>((resolve) => setImmediate(resolve)).then(() => untilDone(what, fields, task)),
  );

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.all(running);
  }

  return {
    /** Starts `task` once the current request's work has yielded; never throws into the caller. */
    start(what: string, fields: Record<string, unknown>, task: () => Promise<void>): void {
      const done: Promise<void> = outside(what, fields, task).finally(() => running.delete(done));
      running.add(done);
    },

    /** Resolves once nothing is under way (tests). */
    idle,

    /** Shutting down: no task is tried again; resolves once the ones under way have ended. */
    async stop(): Promise<void> {
      stopping = true;
      await idle();
    },
  };
}

export type AfterAnswer = ReturnType<typeof afterAnswer>;
