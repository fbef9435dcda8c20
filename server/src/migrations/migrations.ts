import type { Migration } from './migration';
import { stockMovesToItsDatabase } from './0001-stock-moves-to-its-database';
import { stockCountersDropNullTokensAt } from './0002-stock-counters-drop-null-tokens-at';
import { subscribeGrantsIndexes } from './0003-subscribe-grants-indexes';
import { ordersAndShipmentsCarrySettlementAndReceipt } from './0004-orders-and-shipments-carry-settlement-and-receipt';

/** Every migration this version of the server knows, in the order they run. Append only; never rename. */
export const MIGRATIONS: readonly Migration[] = [stockMovesToItsDatabase, stockCountersDropNullTokensAt, subscribeGrantsIndexes, ordersAndShipmentsCarrySettlementAndReceipt];
