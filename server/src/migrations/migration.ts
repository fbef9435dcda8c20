import type { Connection } from 'mongoose';
import type { Logger } from '../logger';

/**
 * One step of the database's schema. A migration writes through the driver's raw collections, never through
 * today's models: a model changes with the code, a migration must keep doing what it did the day it shipped.
 * Each `up` is idempotent (a crash half-way and a second run finish the job), because a migration is recorded
 * as applied only after it returns.
 */
export interface Migration {
  /** Sortable and never renamed: it is what the database records. */
  name: string;
  /** What it carries over, in one line for `npm run migrate` and the upgrade notes. */
  summary: string;
  up(context: MigrationContext): Promise<void>;
}

export interface MigrationContext {
  /** The shop's main database; companions (`<db>_stock`, …) are reached with `db.useDb`. */
  db: Connection;
  logger: Logger;
  now: Date;
}
