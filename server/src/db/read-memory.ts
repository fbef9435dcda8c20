/**
 * Reads remembered for a moment: a key is read at most once per `memoryMs` (one read shared by every caller asking
 * meanwhile, keys asked together read together), so a crowd asking for the same few things costs the database one
 * read per moment instead of one per request. A key the read did not find is remembered as absent for the same
 * moment (a flood of requests for a made-up id is one read too). With `memoryMs` 0 every call reads, and calls at
 * once still share one read. Only what is still fresh is kept, so keys nobody asks for any more do not pile up.
 */
export function readMemory<T>(memoryMs: number, readMany: (keys: string[]) => Promise<Map<string, T>>) {
  const seen = new Map<string, { until: number; value: T | undefined }>();
  const reads = new Map<string, Promise<void>>();

  return {
    /** The values found for `keys`, each at most `memoryMs` old; a key not found is absent. */
    async get(keys: readonly string[]): Promise<Map<string, T>> {
      const unique = [...new Set(keys)];
      const stale = unique.filter((key) => (seen.get(key)?.until ?? 0) <= Date.now());
      const unread = stale.filter((key) => !reads.has(key));
      if (unread.length > 0) {
        const read = (async () => {
          const found = await readMany(unread);
          const now = Date.now();
          for (const [key, entry] of seen) if (entry.until <= now) seen.delete(key);
          const until = now + memoryMs;
          for (const key of unread) seen.set(key, { until, value: found.get(key) });
        })().finally(() => {
          for (const key of unread) reads.delete(key);
        });
        for (const key of unread) reads.set(key, read);
      }
      await Promise.all(stale.map((key) => reads.get(key)));
      const found = new Map<string, T>();
      for (const key of unique) {
        const value = seen.get(key)?.value;
        if (value !== undefined) found.set(key, value);
      }
      return found;
    },
  };
}
