import { Types, type Connection } from 'mongoose';
import { LIVE_DROP_RATE_SECONDS, type DropBox, type LiveDrop } from '@blindbox/shared';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { stockDatabase } from '../db/databases';
import { NotFound } from '../domain-error';
import { isSetBox, type SetService } from '../sets/set.service';
import { boxModel, type BoxDoc } from './box.model';
import { saleOpeningOf, saleTermsOf, type SaleDefaults } from './sale-terms';
import { holdModel, type HoldDoc } from './stock.model';
import type { StockLedger } from './stock';

/** Bucket widths the live chart may use, so a drop of any length shows at most MAX_BUCKETS bars. */
const BUCKET_SECONDS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400];
const MAX_BUCKETS = 60;
/** A box never scheduled has no opening: its live page looks this far back. */
const UNSCHEDULED_LOOKBACK_MS = 3_600_000;
const HOLD_STATES: HoldDoc['state'][] = ['HELD', 'RELEASING', 'RELEASED', 'SOLD'];

/** When the order line's hold was taken: its `_id` starts with the order's ObjectId, which carries the second it was made. */
const placedAt = (hold: Pick<HoldDoc, 'orderId'>) => hold.orderId.getTimestamp().getTime();

/**
 * What the console shows of drops: each box's drop state, and one drop as it happens. Read only from the box,
 * its stock counter and the holds its orders took (the order path writes them anyway): watching a drop adds
 * three indexed reads per refresh and nothing to the path a shopper's order takes.
 */
export function dropWatch({ db, clock, config, stock, sets }: { db: Connection; clock: Clock; config: SaleDefaults & Pick<Config, 'ORDER_EXPIRY_MINUTES'>; stock: StockLedger; sets: SetService }) {
  const Box = boxModel(db);
  const Hold = holdModel(stockDatabase(db));

  function row(box: BoxDoc, available: number, now: Date): DropBox {
    const opening = saleOpeningOf(box, now);
    const terms = saleTermsOf(box, config);
    return {
      boxId: box._id.toHexString(),
      slug: box.slug,
      name: box.name,
      coverUrl: box.coverUrl,
      priceFen: box.priceFen,
      saleMode: box.saleMode ?? 'WEIGHTED',
      state: opening.state === 'OPEN' ? 'ON_SALE' : opening.state,
      onSaleAt: box.onSaleAt?.toISOString() ?? null,
      dropCancelledAt: box.dropCancelledAt?.toISOString() ?? null,
      paymentWindowMinutes: terms.paymentWindowMinutes,
      purchaseLimit: terms.purchaseLimit,
      available,
    };
  }

  async function availableOf(boxes: readonly BoxDoc[]): Promise<Map<string, number>> {
    const weighted = boxes.filter((box) => !isSetBox(box)).map((box) => box._id);
    const whole = boxes.filter(isSetBox).map((box) => box._id);
    const [counters, free] = await Promise.all([stock.available(weighted), sets.freeByBox(whole)]);
    return new Map([...counters, ...free]);
  }

  return {
    /** Every box on the shelf (retired ones are gone from it), in the shop's order, with its drop. */
    async list(): Promise<{ items: DropBox[]; serverTime: string }> {
      const now = clock.now();
      const boxes = await Box.find({ active: true }).sort({ sortOrder: 1, _id: 1 }).lean<BoxDoc[]>();
      const available = await availableOf(boxes);
      return { items: boxes.map((box) => row(box, available.get(box._id.toHexString()) ?? 0, now)), serverTime: now.toISOString() };
    },

    async box(boxId: Types.ObjectId): Promise<BoxDoc> {
      const box = await Box.findById(boxId).lean<BoxDoc>();
      if (!box) throw new NotFound('box');
      return box;
    },

    /**
     * The drop since its opening: units left (the counter), held and sold (the holds its orders took; an order's
     * hold is stored in the same step that takes its units), orders per second, and when it sold out.
     */
    async live(boxId: Types.ObjectId): Promise<LiveDrop> {
      const box = await this.box(boxId);
      const now = clock.now();
      const since = box.onSaleAt ?? new Date(now.getTime() - UNSCHEDULED_LOOKBACK_MS);
      const available = (await availableOf([box])).get(boxId.toHexString()) ?? 0;
      // Every hold of an order placed since the opening expires after it: the (boxId, state, expiresAt) index finds them.
      const holds = isSetBox(box)
        ? []
        : (await Hold.find({ boxId, state: { $in: HOLD_STATES }, expiresAt: { $gt: since } }).select({ orderId: 1, quantity: 1, state: 1, updatedAt: 1 }).lean<HoldDoc[]>()).filter(
            (hold) => placedAt(hold) >= Math.floor(since.getTime() / 1000) * 1000,
          );
      const units = (states: HoldDoc['state'][]) => holds.filter((hold) => states.includes(hold.state)).reduce((sum, hold) => sum + hold.quantity, 0);
      const heldUnits = units(['HELD', 'RELEASING']);
      const soldUnits = units(['SOLD']);
      const sold = holds.filter((hold) => hold.state === 'SOLD');
      const lastSale = sold.reduce<Date | null>((last, hold) => (!last || hold.updatedAt > last ? hold.updatedAt : last), null);

      const elapsedSeconds = Math.max(0, (now.getTime() - since.getTime()) / 1000);
      const bucketSeconds = BUCKET_SECONDS.find((seconds) => elapsedSeconds / seconds <= MAX_BUCKETS) ?? BUCKET_SECONDS.at(-1)!;
      const bucketCount = now.getTime() > since.getTime() ? Math.ceil(elapsedSeconds / bucketSeconds) || 1 : 0;
      const series = Array.from({ length: bucketCount }, (_, index) => ({ at: new Date(since.getTime() + index * bucketSeconds * 1000).toISOString(), orders: 0, soldUnits: 0 }));
      const bucketOf = (at: number) => series[Math.min(bucketCount - 1, Math.floor((at - since.getTime()) / (bucketSeconds * 1000)))];
      for (const hold of holds) {
        const placed = bucketOf(Math.max(placedAt(hold), since.getTime()));
        if (placed) placed.orders += 1;
        const paid = hold.state === 'SOLD' ? bucketOf(hold.updatedAt.getTime()) : undefined;
        if (paid) paid.soldUnits += hold.quantity;
      }
      const recent = holds.filter((hold) => placedAt(hold) > now.getTime() - LIVE_DROP_RATE_SECONDS * 1000).length;

      return {
        box: row(box, available, now),
        serverTime: now.toISOString(),
        unitsLeft: available,
        heldUnits,
        soldUnits,
        orders: holds.length,
        ordersPerSecond: Math.round((recent / LIVE_DROP_RATE_SECONDS) * 10) / 10,
        soldOutAt: available === 0 && heldUnits === 0 && lastSale ? lastSale.toISOString() : null,
        series,
        bucketSeconds,
      };
    },
  };
}

export type DropWatch = ReturnType<typeof dropWatch>;
