import { Types, type Connection } from 'mongoose';
import type { OrderSearchQuery } from '@blindbox/shared';
import { combinedPaymentModel, parseCombinedOutTradeNo, type CombinedPaymentDoc } from '../payments/combined-payment.model';
import { orderModel, type OrderDoc } from './order.model';
import { parseOutTradeNo } from './out-trade-no';

/** Without a number to look for nor dates, the console lists the last this many days (the date index finds them). */
export const DEFAULT_SEARCH_DAYS = 30;
/** The CSV export's cap: a month of a small shop; narrow the dates for more. */
export const EXPORT_MAX_ROWS = 5_000;

/** Beijing day (YYYY-MM-DD) → its first instant; `end` gives the first instant of the day after. */
export function beijingDayStart(day: string, end = false): Date {
  const start = new Date(`${day}T00:00:00+08:00`);
  return end ? new Date(start.getTime() + 86_400_000) : start;
}

type OrderFilter = Record<string, unknown>;

const LISTED_FIELDS = { draws: 0, audit: 0, 'payment.rawTransaction': 0, 'items.products': 0 };

/**
 * The staff's order search. A number a shopper quotes is recognised by its shape and looked up through the
 * index for it; filters narrow what that finds. Without a number, the date range (default: the last
 * DEFAULT_SEARCH_DAYS days) is the indexed part. Every shape here is in the query-plan audit.
 */
export function orderSearch(db: Connection, now: () => Date) {
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);

  /** The indexed condition a quoted number stands for. */
  async function numberFilter(q: string): Promise<OrderFilter> {
    if (/^[a-f0-9]{24}$/.test(q)) return { _id: new Types.ObjectId(q) };
    const attempt = parseOutTradeNo(q);
    if (attempt) return { _id: attempt.orderId };
    const combinedId = parseCombinedOutTradeNo(q);
    if (combinedId) {
      const combined = await Combined.findById(combinedId).lean<CombinedPaymentDoc>();
      return { _id: { $in: combined?.shares.map((share) => share.orderId) ?? [] } };
    }
    // A mainland mobile number: the shipping phone the shopper typed.
    if (/^1\d{10}$/.test(q)) return { 'address.phone': q };
    // WeChat openids start with o (28 characters); the shop's users carry the same.
    if (/^o[A-Za-z0-9_-]{15,}$/.test(q)) return { openid: q };
    // Anything else is a channel's transaction number: WeChat's 交易单号 and Alipay's trade_no both land here.
    return { 'payment.transactionId': q };
  }

  async function filterOf(query: Omit<OrderSearchQuery, 'page' | 'pageSize'>): Promise<OrderFilter> {
    const filter: OrderFilter = query.q ? await numberFilter(query.q) : {};
    if (query.status) filter.status = query.status;
    if (query.boxId) filter['items.boxId'] = new Types.ObjectId(query.boxId);
    const from = query.from ? beijingDayStart(query.from) : !query.q && !query.to ? new Date(now().getTime() - DEFAULT_SEARCH_DAYS * 86_400_000) : null;
    const to = query.to ? beijingDayStart(query.to, true) : null;
    if (from || to) filter[query.sort] = { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) };
    return filter;
  }

  const sortOf = (query: Pick<OrderSearchQuery, 'sort' | 'order'>) => ({ [query.sort]: query.order === 'asc' ? 1 : -1, _id: query.order === 'asc' ? 1 : -1 }) as const;

  return {
    async search(query: OrderSearchQuery): Promise<{ items: OrderDoc[]; total: number }> {
      const filter = await filterOf(query);
      const [items, total] = await Promise.all([
        Order.find(filter, LISTED_FIELDS).sort(sortOf(query)).skip((query.page - 1) * query.pageSize).limit(query.pageSize).lean<OrderDoc[]>().exec(),
        Order.countDocuments(filter).exec(),
      ]);
      return { items, total };
    },

    async exportRows(query: Omit<OrderSearchQuery, 'page' | 'pageSize'>): Promise<OrderDoc[]> {
      return Order.find(await filterOf(query), LISTED_FIELDS).sort(sortOf(query)).limit(EXPORT_MAX_ROWS).lean<OrderDoc[]>().exec();
    },
  };
}

export type OrderSearch = ReturnType<typeof orderSearch>;
