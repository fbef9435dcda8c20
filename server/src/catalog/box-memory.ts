import { Types, type Connection } from 'mongoose';
import { readMemory } from '../db/read-memory';
import { boxModel, type BoxDoc } from './box.model';

/**
 * The boxes as this process last read them, at most BOX_MEMORY_MS old (config.ts) plus the time of the read that
 * refreshes them (which nobody waits for: db/read-memory.ts), built once in the container and shared by the box page
 * and by orders: a drop's crowd loading the page and its winners ordering cost the database one box read per moment
 * instead of one or two per request. What is decided from the box (open or not, retired,
 * inactive, hidden) is decided again at every request by its caller; only the document is remembered.
 */
export function boxMemory(db: Connection, memoryMs: number) {
  const Box = boxModel(db);
  const memory = readMemory(memoryMs, async (keys) => {
    const docs = await Box.find({ _id: { $in: keys.map((key) => new Types.ObjectId(key)) } }).lean<BoxDoc[]>();
    return new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
  });
  return {
    /** The boxes by id (hex), at most `memoryMs` old plus one refreshing read's time; an unknown box is absent. */
    boxes: (boxIds: readonly Types.ObjectId[]): Promise<Map<string, BoxDoc>> => memory.get(boxIds.map((id) => id.toHexString())),
  };
}

export type BoxMemory = ReturnType<typeof boxMemory>;
