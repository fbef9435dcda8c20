import { UsageError, type OptionValues } from '../admin-command';

/** `--limit N`: an integer from 1 to 1000, or the command's default. */
export function limitOption(values: OptionValues, fallback: number): number {
  const limit = values.limit === undefined ? fallback : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be an integer from 1 to 1000');
  return limit;
}
