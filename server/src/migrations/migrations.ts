import type { Migration } from './migration';
import { stockMovesToItsDatabase } from './0001-stock-moves-to-its-database';
import { stockCountersDropNullTokensAt } from './0002-stock-counters-drop-null-tokens-at';
import { subscribeGrantsIndexes } from './0003-subscribe-grants-indexes';
import { ordersAndShipmentsCarrySettlementAndReceipt } from './0004-orders-and-shipments-carry-settlement-and-receipt';
import { drawCountersNumberLines } from './0005-draw-counters-number-lines';
import { aftersalesRequests } from './0006-aftersales-requests';
import { dailyCapsOneCounter } from './0007-daily-caps-one-counter';
import { shopperCountersMoveToTheirDatabase } from './0008-shopper-counters-move-to-their-database';
import { drawCountersMoveToTheShoppersCounters } from './0009-draw-counters-move-to-the-shoppers-counters';

/** Every migration this version of the server knows, in the order they run. Append only; never rename. */
export const MIGRATIONS: readonly Migration[] = [stockMovesToItsDatabase, stockCountersDropNullTokensAt, subscribeGrantsIndexes, ordersAndShipmentsCarrySettlementAndReceipt, drawCountersNumberLines, aftersalesRequests, dailyCapsOneCounter, shopperCountersMoveToTheirDatabase, drawCountersMoveToTheShoppersCounters];
