import { z } from 'zod';
import { beijingDaySchema, consoleIsoDate, consoleObjectId } from './common';

/** The longest range one sales query covers (a year of Beijing days). */
export const SALES_MAX_DAYS = 366;

export const salesQuerySchema = z.object({
  /** First and last Beijing day, both included. */
  from: beijingDaySchema,
  to: beijingDaySchema,
  boxId: consoleObjectId.optional(),
});
export type SalesQuery = z.infer<typeof salesQuerySchema>;

/** One box on one Beijing day (of the payment): refunds count on the day the refunded order was paid. */
export const salesRowSchema = z.object({
  day: z.string(),
  boxId: consoleObjectId,
  slug: z.string(),
  name: z.string(),
  units: z.number().int(),
  revenueFen: z.number().int(),
  refundedUnits: z.number().int(),
  refundsFen: z.number().int(),
});
export type SalesRow = z.infer<typeof salesRowSchema>;

const totalsSchema = z.object({ units: z.number().int(), revenueFen: z.number().int(), refundedUnits: z.number().int(), refundsFen: z.number().int() });

export const salesResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(salesRowSchema),
  /** Every day of the range (days without sales at 0), for the chart. */
  days: z.array(totalsSchema.extend({ day: z.string() })),
  boxes: z.array(totalsSchema.extend({ boxId: consoleObjectId, slug: z.string(), name: z.string() })),
  total: totalsSchema,
  generatedAt: consoleIsoDate,
});
export type SalesResponse = z.infer<typeof salesResponseSchema>;
