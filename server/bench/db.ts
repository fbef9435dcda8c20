import mongoose from 'mongoose';
import { outTradeNoFor } from '../src/orders/out-trade-no';
import { newClientSeed } from '../src/users/user.model';

/**
 * Everything the benchmark does to the database behind the server's back: bulk loading, cloning pending
 * orders, setting stock, the raw-engine twin of a callback, and the after-the-drop ledger check. It speaks
 * the driver only, so the collection names and the shape of the stock ledger (stock counters and hold documents
 * in `<db>_stock`) live here and nowhere else in server/bench.
 */

type ObjectId = mongoose.mongo.ObjectId;
type Doc = mongoose.mongo.Document;
const { MongoClient } = mongoose.mongo;
// Mongoose's ObjectId is the driver's (a subclass), so new ids suit both the driver and outTradeNoFor.
const { ObjectId } = mongoose.Types;

export const COLLECTIONS = {
  /** In `<db>`. */
  orders: 'orders',
  boxes: 'boxes',
  users: 'users',
  addresses: 'addresses',
  /** In `<db>_stock`. */
  stocks: 'stocks',
  holds: 'holds',
} as const;
export const databasesOf = (db: string) => [db, `${db}_stock`, `${db}_jobs`, `${db}_limits`];

const PAID_STATUSES = ['TO_BE_DELIVERED', 'DELIVERED', 'COMPLETED'];
const OPEN_HOLD_STATES = ['HELD', 'RELEASING'];
const BATCH = 1_000;

/** A fresh ObjectId whose embedded timestamp says `at`, as an order placed then would have. */
const idCreatedAt = (at: Date) => new ObjectId(Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0') + new ObjectId().toHexString().slice(8));

export interface StockCheck {
  startingStock: number;
  available: number;
  openHolds: number;
  /** Units of the box in paid orders. */
  soldByOrders: number;
  /** SOLD holds: the ledger's own record of sales. */
  soldByHolds: number;
  /** Reservations and releases between their steps (tokens on the counter): the sums hold only when this is 0. */
  inFlight: number;
  /** available + open holds + sold = starting stock. */
  balanced: boolean;
}

export interface PendingOrder {
  orderId: string;
  outTradeNo: string;
  totalFen: number;
  /** The shopper who pays: a JSAPI callback must name the order's own. */
  openid: string;
}

export interface BulkShopper {
  userId: string;
  openid: string;
  addressId: string;
}

const hex = (id: ObjectId) => id.toHexString();
/** The driver's operator types reject array operators on untyped documents; these are plain documents. */
const update = (change: Doc) => change as mongoose.mongo.UpdateFilter<Doc>;

export async function openBenchDb(uri: string, dbName: string, poolSize = 20) {
  const client = new MongoClient(uri, { maxPoolSize: poolSize });
  await client.connect();
  const shop = client.db(dbName);
  const stockDb = client.db(`${dbName}_stock`);
  const orders = shop.collection(COLLECTIONS.orders);
  const boxes = shop.collection(COLLECTIONS.boxes);
  const stocks = stockDb.collection(COLLECTIONS.stocks);
  // Hold ids are strings: `<orderId>:<boxId>`.
  const holds = stockDb.collection<{ _id: string } & Doc>(COLLECTIONS.holds);

  async function insertInBatches<T extends Doc>(collection: mongoose.mongo.Collection<T>, docs: mongoose.mongo.OptionalUnlessRequiredId<T>[]): Promise<void> {
    for (let i = 0; i < docs.length; i += BATCH) await collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
  }

  async function order(orderId: string): Promise<Doc> {
    const doc = await orders.findOne({ _id: new ObjectId(orderId) });
    if (!doc) throw new Error(`order ${orderId} not found`);
    return doc;
  }

  const boxIdsOf = (doc: Doc) => (doc.items as Array<{ boxId: ObjectId; quantity: number }>).map((item) => ({ boxId: item.boxId, quantity: item.quantity }));

  return {
    /** The weighted-draw boxes (a whole-set box is ordered by picking positions: the sets scenario has its own). */
    boxIds: async (): Promise<string[]> => (await boxes.find({ saleMode: { $ne: 'SETS' } }, { projection: { _id: 1 } }).toArray()).map((box) => hex(box._id as ObjectId)),

    async setStock(boxId: string, units: number, paymentWindowMinutes: number | null = null): Promise<void> {
      const _id = new ObjectId(boxId);
      await boxes.updateOne({ _id }, { $set: { paymentWindowMinutes } });
      // Box-level stock only (as stockLedger.setAvailable): a benchmark sells far more units than the demo items hold.
      await stocks.updateOne({ _id }, { $set: { available: units, reserving: [], releasing: [] }, $unset: { items: 1 } }, { upsert: true });
    },

    /** Users and addresses as login and POST /api/addresses store them, without the round trips. */
    async insertShoppers(count: number, prefix: string): Promise<BulkShopper[]> {
      const now = new Date();
      const shoppers = Array.from({ length: count }, (_, i) => ({ userId: new ObjectId(), addressId: new ObjectId(), openid: `o-bench-${prefix}-${i}` }));
      await insertInBatches(
        shop.collection(COLLECTIONS.users),
        // Adults who declared so (the age gate refuses orders from shoppers who have not), with the client seed
        // their first login gave them.
        shoppers.map((s) => ({ _id: s.userId, openid: s.openid, unionid: null, lastLoginAt: now, createdAt: now, age: { bracket: 'ADULT', declaredAt: now }, clientSeed: newClientSeed(), __v: 0 })),
      );
      await insertInBatches(
        shop.collection(COLLECTIONS.addresses),
        shoppers.map((s) => ({ _id: s.addressId, userId: s.userId, name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号', createdAt: now, updatedAt: now, __v: 0 })),
      );
      return shoppers.map((s) => ({ userId: hex(s.userId), openid: s.openid, addressId: hex(s.addressId) }));
    },

    /**
     * Copies of a real order that was placed and prepaid through the API, each with its own id, out_trade_no
     * and stock hold, so every callback (ours or raw) fulfils an order of its own.
     */
    async clonePendingOrders(templateOrderId: string, count: number): Promise<PendingOrder[]> {
      const template = await order(templateOrderId);
      const templateHolds = await holds.find({ orderId: template._id }).toArray();
      const now = new Date();
      // Each clone is another shopper's, as a burst of callbacks is: one shopper's orders of one box are drawn one
      // after another (their guarantee counter), so clones of one shopper would measure that queue instead.
      const clones = Array.from({ length: count }, (_, i) => {
        const _id = new ObjectId();
        const current = { ...(template.payment as { current: Doc }).current, outTradeNo: outTradeNoFor(_id, 1), createdAt: now };
        return { ...template, _id, userId: new ObjectId(), openid: `o-bench-clone-${hex(_id)}-${i}`, createdAt: now, updatedAt: now, payment: { ...(template.payment as Doc), current } };
      });
      await insertInBatches(orders, clones);
      await insertInBatches(
        holds,
        clones.flatMap((clone) => templateHolds.map((hold) => ({ ...hold, _id: `${hex(clone._id)}:${hex(hold.boxId as ObjectId)}`, orderId: clone._id, updatedAt: now }))),
      );
      for (const { boxId, quantity } of boxIdsOf(template)) await stocks.updateOne({ _id: boxId }, { $inc: { available: -quantity * clones.length } });
      return clones.map((clone) => ({ orderId: hex(clone._id), outTradeNo: clone.payment.current.outTradeNo as string, totalFen: template.totalFen as number, openid: clone.openid }));
    },

    /**
     * Orders as months of trading leave them, made from one real paid order: mostly completed, some delivered
     * or awaiting delivery, some closed unpaid, spread over many shoppers and 90 days. `ownerOf(i)` says whose
     * the i-th one is. Settled orders only: what is pending is what the benchmark itself creates. Stops between
     * batches once past `deadline` (performance.now()); returns how many it stored.
     */
    async bulkLoadOrders(templateOrderId: string, count: number, ownerOf: (i: number) => { userId: string; openid: string }, deadline = Number.POSITIVE_INFINITY): Promise<number> {
      const template = await order(templateOrderId);
      const lines = boxIdsOf(template);
      const statuses = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'DELIVERED', 'TO_BE_DELIVERED', 'CLOSED', 'CLOSED'];
      const day = 86_400_000;
      let start = 0;
      for (; start < count && performance.now() < deadline; start += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => {
          const i = start + k;
          const status = statuses[i % statuses.length]!;
          const at = new Date(Date.now() - 90 * day + Math.floor((i * 7919) % (90 * day)));
          const owner = ownerOf(i);
          const _id = idCreatedAt(at);
          const paid = status !== 'CLOSED';
          const payment = template.payment as Doc;
          return {
            ...template,
            _id,
            userId: new ObjectId(owner.userId),
            openid: owner.openid,
            status,
            createdAt: at,
            updatedAt: at,
            expiresAt: new Date(at.getTime() + 15 * 60_000),
            paidAt: paid ? at : null,
            draws: paid ? template.draws : [],
            releasedAt: paid ? null : at,
            // Nothing left for a sweep: released, nothing to reconcile or refund.
            releaseDueAt: null,
            reconcileAt: null,
            refundCheckAt: null,
            payment: paid
              ? { ...payment, outTradeNo: outTradeNoFor(_id, 1), transactionId: `4200${String(i).padStart(24, '0')}` }
              : { ...payment, current: null, outTradeNo: null, transactionId: null, payerOpenid: null, successTime: null, rawTransaction: null },
          };
        });
        await orders.insertMany(batch, { ordered: false });
        await holds.insertMany(
          batch.flatMap((doc) =>
            lines.map(({ boxId, quantity }) => ({
              _id: `${hex(doc._id)}:${hex(boxId)}`,
              boxId,
              orderId: doc._id,
              quantity,
              state: doc.status === 'CLOSED' ? 'RELEASED' : 'SOLD',
              expiresAt: doc.expiresAt,
              updatedAt: doc.updatedAt,
            })),
          ),
          { ordered: false },
        );
      }
      return Math.min(start, count);
    },

    /**
     * The database writes one fulfilling callback makes (the plan's "Callback writes"), straight through the
     * driver: read the order, the guarded TO_BE_PAID → TO_BE_DELIVERED flip with payment, draws and audit,
     * and HELD → SOLD on each line's hold. Edit here when the callback's write set changes.
     */
    async rawCallbackWrites(pending: PendingOrder): Promise<void> {
      const _id = new ObjectId(pending.orderId);
      const doc = await orders.findOne({ _id });
      if (!doc) throw new Error(`raw: order ${pending.orderId} not found`);
      const now = new Date();
      const transactionId = `4200${Date.now()}${pending.orderId.slice(-10)}`.slice(0, 28);
      const items = doc.items as Array<{ boxId: ObjectId; quantity: number; products: Array<{ productId: string; name: string; rarity: string; imageUrl: string }> }>;
      const draws = items.flatMap((item) => Array.from({ length: item.quantity }, () => ({ boxId: item.boxId, ...item.products[0]! })));
      const paid = await orders.findOneAndUpdate(
        { _id, status: 'TO_BE_PAID' },
        update({
          $set: {
            status: 'TO_BE_DELIVERED',
            paidAt: now,
            'payment.transactionId': transactionId,
            'payment.outTradeNo': pending.outTradeNo,
            'payment.payerOpenid': doc.openid,
            'payment.successTime': now,
            'payment.rawTransaction': { out_trade_no: pending.outTradeNo, transaction_id: transactionId, trade_state: 'SUCCESS', amount: { total: pending.totalFen, currency: 'CNY' } },
            'payment.current': null,
            draws,
            updatedAt: now,
          },
          $push: { audit: { from: 'TO_BE_PAID', to: 'TO_BE_DELIVERED', reason: `paid by WeChat transaction ${transactionId}`, actor: 'wechatpay:notify', at: now } },
        }),
        { returnDocument: 'after' },
      );
      if (!paid) throw new Error(`raw: order ${pending.orderId} was not TO_BE_PAID`);
      for (const { boxId } of items) {
        await holds.updateOne({ _id: `${pending.orderId}:${hex(boxId)}`, state: 'HELD' }, { $set: { state: 'SOLD', updatedAt: now } });
      }
    },

    /** Paid orders whose settling after the callback's answer (holds kept, public log) is still to finish. */
    unsettledCount: () => orders.countDocuments({ settleDueAt: { $ne: null } }),

    async fulfilledCount(orderIds: readonly string[]): Promise<number> {
      let fulfilled = 0;
      for (let i = 0; i < orderIds.length; i += BATCH) {
        const ids = orderIds.slice(i, i + BATCH).map((id) => new ObjectId(id));
        fulfilled += await orders.countDocuments({ _id: { $in: ids }, status: { $in: PAID_STATUSES } });
      }
      return fulfilled;
    },

    /** After a drop: does every unit of the box sit in exactly one place? */
    async stockCheck(boxId: string, startingStock: number): Promise<StockCheck> {
      const _id = new ObjectId(boxId);
      const paidOrders = await orders.find({ 'items.boxId': _id, status: { $in: PAID_STATUSES } }, { projection: { items: 1 } }).toArray();
      const soldByOrders = paidOrders.flatMap(boxIdsOf).filter((line) => line.boxId.equals(_id)).reduce((sum, line) => sum + line.quantity, 0);
      const counter = await stocks.findOne({ _id });
      const available = (counter?.available as number | undefined) ?? Number.NaN;
      const inFlight = ((counter?.reserving as string[] | null) ?? []).length + ((counter?.releasing as string[] | null) ?? []).length;
      const lines = await holds.find({ boxId: _id }, { projection: { state: 1, quantity: 1 } }).toArray();
      const sum = (states: string[]) => lines.filter((h) => states.includes(h.state as string)).reduce((total, h) => total + (h.quantity as number), 0);
      const openHolds = sum(OPEN_HOLD_STATES);
      const soldByHolds = sum(['SOLD']);
      return { startingStock, available, openHolds, soldByOrders, soldByHolds, inFlight, balanced: available + openHolds + soldByHolds === startingStock && soldByHolds === soldByOrders };
    },

    async dropDatabases(): Promise<void> {
      for (const name of databasesOf(dbName)) await client.db(name).dropDatabase().catch(() => undefined);
    },

    close: () => client.close(),
  };
}

export type BenchDb = Awaited<ReturnType<typeof openBenchDb>>;
