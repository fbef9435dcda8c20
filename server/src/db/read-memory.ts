import { AsyncResource } from 'node:async_hooks';

/**
 * How much older than `memoryMs` a remembered value may still be answered while the read that refreshes it runs.
 * Past it (nobody asked for a while) callers wait for the read, as they do for a key never read.
 */
const STALE_AT_MOST_MS = 5_000;

/**
 * Reads remembered for a moment: a key is read at most once per `memoryMs` (one read shared by every caller asking
 * meanwhile, keys asked together read together), so a crowd asking for the same few things costs the database one
 * read per moment instead of one per request. A key the read did not find is remembered as absent for the same
 * moment (a flood of requests for a made-up id is one read too).
 *
 * Once a value is older than `memoryMs`, the first caller starts the read that refreshes it and every caller until
 * it lands is answered the value remembered, at once: nobody waits for a refresh (stale-while-revalidate). In a
 * drop that read competes with the winners' writes, and every arrival asking meanwhile (before the gate can refuse
 * it) would wait as long. So a value is at most `memoryMs` old plus one read's time; callers wait only for a key
 * never read, or one nobody asked for in `memoryMs` + STALE_AT_MOST_MS.
 * With `memoryMs` 0 every call reads and waits, and calls at once still share one read. Only what could still be
 * answered is kept, so keys nobody asks for any more do not pile up.
 */
export function readMemory<T>(memoryMs: number, readMany: (keys: string[]) => Promise<Map<string, T>>) {
  const staleAtMostMs = memoryMs > 0 ? STALE_AT_MOST_MS : 0;
  const seen = new Map<string, { readAt: number; value: T | undefined }>();
  const reads = new Map<string, Promise<void>>();
  const ageOf = (key: string, now: number) => now - (seen.get(key)?.readAt ?? Number.NEGATIVE_INFINITY);

  /** One read for the keys not being read already, shared by whoever asks for them until it lands. */
  function startRead(keys: readonly string[]): void {
    const unread = keys.filter((key) => !reads.has(key));
    if (unread.length === 0) return;
    const read = (async () => {
      const found = await readMany(unread);
      const now = Date.now();
      for (const [key, entry] of seen) if (now - entry.readAt >= memoryMs + staleAtMostMs) seen.delete(key);
      for (const key of unread) seen.set(key, { readAt: now, value: found.get(key) });
    })().finally(() => {
      for (const key of unread) reads.delete(key);
    });
    // A refresh nobody waits for may fail unheard: the value stays as it was and the next caller reads again.
    read.catch(() => undefined);
    for (const key of unread) reads.set(key, read);
  }

  /**
   * A refresh nobody waits for, started in the context the memory was built in, outside the request that happened
   * to ask first: that request is answered from memory, so the read's database operations are not its own
   * (db/command-counts.ts). A read a caller waits for runs in the caller's context and counts as its own.
   */
  const refreshInBackground = AsyncResource.bind(startRead);

  return {
    /** The values found for `keys`, each at most `memoryMs` old plus one refreshing read's time; a key not found is absent. */
    async get(keys: readonly string[]): Promise<Map<string, T>> {
      const unique = [...new Set(keys)];
      const now = Date.now();
      const stale = unique.filter((key) => ageOf(key, now) >= memoryMs);
      const waitFor = stale.filter((key) => ageOf(key, now) >= memoryMs + staleAtMostMs);
      startRead(waitFor);
      refreshInBackground(stale.filter((key) => !waitFor.includes(key)));
      await Promise.all(waitFor.map((key) => reads.get(key)));
      const found = new Map<string, T>();
      for (const key of unique) {
        const value = seen.get(key)?.value;
        if (value !== undefined) found.set(key, value);
      }
      return found;
    },
  };
}
