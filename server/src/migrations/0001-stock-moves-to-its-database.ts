import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';

type Collection = mongo.Collection;
type Document = mongo.Document;
type ObjectId = mongo.ObjectId;
import type { Migration } from './migration';

/**
 * 0.1.0 → 0.2.0. In 0.1.0 a box carried its own stock (`boxes.stock`, the units still for sale) and the units
 * held for unpaid orders (`boxes.holds`, "<orderId>:<quantity>" strings). Today stock is a counter per box in
 * `<db>_stock.stocks`, each order line's units one document in `<db>_stock.holds` (HELD for an unpaid order,
 * SOLD once paid), and a box has a published version of its odds. Orders gained the fields the sweeps find
 * them by and the inputs of provably fair draws. Without this step an upgraded shop shows every box at stock 0.
 */

// 0.1.0's paid statuses, frozen here: the shared list may grow, this migration must not change meaning.
const PAID_IN_0_1_0 = new Set(['TO_BE_DELIVERED', 'DELIVERED', 'COMPLETED']);
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const shopperDay = (at: Date) => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

interface OldOrder extends Document {
  _id: ObjectId;
  status: string;
  createdAt: Date;
  expiresAt: Date;
  releasedAt?: Date | null;
  items: Array<{ boxId: ObjectId; quantity: number } & Document>;
  refunds?: Array<{ status: string }>;
  payment?: { current?: unknown };
}

/** The box's fields added since 0.1.0, at the values that mean "as before". */
const BOX_DEFAULTS: Record<string, unknown> = {
  purchaseLimit: null,
  paymentWindowMinutes: null,
  dropKey: 'first',
  onSaleAt: null,
  dropCancelledAt: null,
  guarantee: null,
  saleMode: 'WEIGHTED',
  setRules: null,
  version: 1,
  retiredAt: null,
};

export const stockMovesToItsDatabase: Migration = {
  name: '0001-stock-moves-to-its-database',
  summary: "0.1.0's box stock and holds become stock counters and hold documents; boxes get version 1; orders get their sweep keys",
  async up({ db, logger, now }) {
    const main = db.db!;
    const stockDb = db.useDb(`${db.name}_stock`, { useCache: true }).db!;
    const boxes = main.collection('boxes');
    const orders = main.collection<OldOrder>('orders');
    const stocks = stockDb.collection('stocks');
    const holds = stockDb.collection('holds');
    const versions = main.collection('boxversions');

    const ordersById = new Map<string, OldOrder>();
    for (const order of await orders.find({}).toArray()) ordersById.set(order._id.toHexString(), order);

    for (const box of await boxes.find({ stock: { $exists: true } }).toArray()) {
      const boxId = box._id as ObjectId;
      let available = Number(box.stock);
      // Units held in 0.1.0 are held still while their order may be paid; a hold left by a crash on an order
      // that already settled is what 0.1.0's own sweep would have done with it: kept if paid, given back if not.
      for (const entry of (box.holds as string[] | undefined) ?? []) {
        const [orderId, quantityText] = entry.split(':');
        const order = ordersById.get(orderId ?? '');
        const quantity = Number(quantityText);
        if (!order || !Number.isInteger(quantity) || quantity <= 0) continue;
        if (order.status === 'TO_BE_PAID') await upsertHold(holds, order, boxId, quantity, 'HELD', now);
        else if (!PAID_IN_0_1_0.has(order.status)) available += quantity;
      }
      // What paid orders took is sold: today's ledger (available + held + sold) counts it.
      for (const order of ordersById.values()) {
        if (!PAID_IN_0_1_0.has(order.status)) continue;
        const quantity = order.items.filter((item) => item.boxId.equals(boxId)).reduce((sum, item) => sum + item.quantity, 0);
        if (quantity > 0) await upsertHold(holds, order, boxId, quantity, 'SOLD', now);
      }
      await stocks.updateOne(
        { _id: boxId },
        { $setOnInsert: { available, reserving: [], releasing: [], drawingLines: [], drawing: [], tokensAt: null } },
        { upsert: true },
      );
      await versions.updateOne(
        { _id: `${boxId.toHexString()}:1` as unknown as ObjectId },
        { $setOnInsert: { boxId, version: 1, products: box.products, guarantee: null, seedId: null, publishedAt: box.createdAt ?? now } },
        { upsert: true },
      );
      const missing = Object.fromEntries(Object.entries(BOX_DEFAULTS).filter(([field]) => !(field in box)));
      // Last: a box without `stock` is done, so a run interrupted before this line does the box again, idempotently.
      await boxes.updateOne({ _id: boxId }, { $set: missing, $unset: { stock: '', holds: '' } });
      logger.info({ boxId: boxId.toHexString(), available }, 'box stock moved to the stock database');
    }

    for (const order of ordersById.values()) {
      if ('limitDay' in order) continue;
      const unpaid = order.status === 'TO_BE_PAID';
      const outstandingRefund = (order.refunds ?? []).some((refund) => refund.status === 'PENDING' || refund.status === 'PROCESSING');
      await orders.updateOne(
        { _id: order._id, limitDay: { $exists: false } },
        {
          $set: {
            // A 0.1.0 order never had a client seed; one still to be drawn gets a random one like a new shopper's.
            clientSeed: unpaid ? randomBytes(8).toString('hex') : '',
            limitDay: shopperDay(order.createdAt),
            items: order.items.map((item) => ({ dropKey: 'first', guarantee: null, seedId: '', setPick: null, ...item })),
            refundCheckAt: outstandingRefund ? now : null,
            // A close whose release 0.1.0 never finished: the expiry sweep finishes it.
            releaseDueAt: order.status === 'CLOSED' && !order.releasedAt ? now : null,
            // An open attempt may have been paid while the shop was down: reconciliation asks the channel.
            reconcileAt: unpaid && order.payment?.current ? now : null,
          },
        },
      );
    }
    // 0.1.0 scheduled one Agenda job per order in the main database; today's jobs live in `<db>_jobs` and the
    // sweeps above find every order by its keys, so the old jobs would never run: they are removed.
    if ((await main.listCollections({ name: 'agendaJobs' }, { nameOnly: true }).toArray()).length > 0) {
      await main.collection('agendaJobs').deleteMany({});
    }
  },
};

async function upsertHold(holds: Collection, order: OldOrder, boxId: ObjectId, quantity: number, state: 'HELD' | 'SOLD', now: Date): Promise<void> {
  await holds.updateOne(
    { _id: `${order._id.toHexString()}:${boxId.toHexString()}` as unknown as ObjectId },
    { $setOnInsert: { boxId, orderId: order._id, quantity, state, expiresAt: order.expiresAt, updatedAt: now } },
    { upsert: true },
  );
}
