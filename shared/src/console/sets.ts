import { z } from 'zod';
import { boxSetListSchema, boxSetSchema } from '../api';

/** Sets made at once from the console (the CLI's limit too). */
export const MAX_SETS_PER_CREATE = 1000;

export const createSetsRequestSchema = z.object({ count: z.number().int().min(1, '至少 1 套').max(MAX_SETS_PER_CREATE, `一次最多 ${MAX_SETS_PER_CREATE} 套`) });
export const consoleSetListSchema = boxSetListSchema;
export const consoleSetSchema = boxSetSchema;
