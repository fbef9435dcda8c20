import { AsyncResource } from 'node:async_hooks';
import type { Logger } from '../logger';

/**
 * Work a payment leaves for after its answer (the steps after the paid-and-drawn write that the channel's answer
 * does not depend on). Run outside the request that started it: in the async context this was built in (the
 * container, at start-up), so the request neither waits for it nor counts it as its own (db/command-counts.ts).
 * What is under way is kept, so shutting down can wait for it; a failure is logged, and whatever the work
 * leaves undone is for its caller's sweep to find (the work must be idempotent and leave a durable mark until done).
 */
export function afterAnswer(logger: Logger) {
  const running = new Set<Promise<void>>();
  // Bound now, outside any request: every task starts in this context, not its caller's.
  const outside = AsyncResource.bind((task: () => Promise<void>) => new Promise<void>((resolve) => setImmediate(resolve)).then(task));

  return {
    /** Starts `task` once the current request's work has yielded; never throws into the caller. */
    start(what: string, fields: Record<string, unknown>, task: () => Promise<void>): void {
      const done: Promise<void> = outside(task)
        .catch((error: unknown) => logger.error({ ...fields, err: error }, `${what} failed; its sweep finishes it`))
        .finally(() => running.delete(done));
      running.add(done);
    },

    /** Resolves once nothing is under way (shutdown, tests). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
  };
}

export type AfterAnswer = ReturnType<typeof afterAnswer>;
