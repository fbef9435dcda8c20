import { Types, type Connection } from 'mongoose';
import { boxModel, type BoxDoc } from './box.model';

/**
 * The boxes orders are placed for, as this process last read them: a box is read at most once per `memoryMs`
 * (BOX_MEMORY_MS in config.ts)
 * (one read shared by every request asking meanwhile), so a drop's crowd and its winners cost the database one
 * box read per moment instead of one or two per order. What is decided from the box (open or not, retired,
 * inactive) is decided again at every order by its caller; only the document is remembered, and an unknown box
 * is remembered as unknown for the same moment (a flood of orders for it is one read too).
 */
export function boxMemory(db: Connection, memoryMs: number) {
  const Box = boxModel(db);
  const seen = new Map<string, { until: number; box: BoxDoc | null }>();
  const reads = new Map<string, Promise<void>>();

  return {
    /** The boxes by id (hex), at most `memoryMs` old; an unknown box is absent. */
    async boxes(boxIds: readonly Types.ObjectId[]): Promise<Map<string, BoxDoc>> {
      const keys = [...new Set(boxIds.map((id) => id.toHexString()))];
      const stale = keys.filter((key) => (seen.get(key)?.until ?? 0) <= Date.now());
      const unread = stale.filter((key) => !reads.has(key));
      if (unread.length > 0) {
        const read = (async () => {
          const docs = await Box.find({ _id: { $in: unread.map((key) => new Types.ObjectId(key)) } }).lean<BoxDoc[]>();
          const now = Date.now();
          // Only what is still fresh stays: ids nobody orders any more (or made up) do not pile up.
          for (const [key, entry] of seen) if (entry.until <= now) seen.delete(key);
          const until = now + memoryMs;
          const byId = new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
          for (const key of unread) seen.set(key, { until, box: byId.get(key) ?? null });
        })().finally(() => {
          for (const key of unread) reads.delete(key);
        });
        for (const key of unread) reads.set(key, read);
      }
      await Promise.all(stale.map((key) => reads.get(key)));
      const found = new Map<string, BoxDoc>();
      for (const key of keys) {
        const box = seen.get(key)?.box;
        if (box) found.set(key, box);
      }
      return found;
    },
  };
}

export type BoxMemory = ReturnType<typeof boxMemory>;
