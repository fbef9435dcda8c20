import type { Migration } from './migration';
import { stockMovesToItsDatabase } from './0001-stock-moves-to-its-database';

/** Every migration this version of the server knows, in the order they run. Append only; never rename. */
export const MIGRATIONS: readonly Migration[] = [stockMovesToItsDatabase];
