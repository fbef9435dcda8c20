import { BOX_MEMORY_MS } from '../../src/catalog/box-memory';

/**
 * After a box changed (imported, retired, rescheduled): waits until every box the server remembered before the
 * change is past its memory (catalog/box-memory.ts), so the next order reads the change. Not a guess: a memory
 * is set when its read completes, which was before the change returned.
 */
export const untilBoxMemoryPassed = () => new Promise((resolve) => setTimeout(resolve, BOX_MEMORY_MS + 1));
