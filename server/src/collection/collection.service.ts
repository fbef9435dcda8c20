import type { Connection, Types } from 'mongoose';
import { PAID_ORDER_STATUSES, type Collection, type CollectionItem, type CollectionSeries, type Rarity } from '@blindbox/shared';
import { boxModel } from '../catalog/box.model';
import { silhouetteUrlOf } from '../catalog/images';
import { orderModel } from '../orders/order.model';

/**
 * A collection with more orders than this shows the newest ones: enough for any shopper we expect, and a
 * bound on one request's work (FerretDB v1 decodes every order document it returns).
 */
const MAX_ORDERS = 1000;

interface Kind {
  productId: string;
  name: string;
  rarity: Rarity;
  imageUrl: string;
  draws: CollectionItem['draws'];
}

interface Series {
  boxId: Types.ObjectId;
  name: string;
  coverUrl: string;
  sortOrder: number;
  kinds: Map<string, Kind>;
}

/** Reads the shopper's paid orders (a query of its own; the orders module stays the only writer). */
export function collectionService(db: Connection) {
  const Order = orderModel(db);
  const Box = boxModel(db);

  return {
    async of(userId: Types.ObjectId): Promise<Collection> {
      const orders = await Order.find({ userId, status: { $in: [...PAID_ORDER_STATUSES] } })
        .select({ items: 1, draws: 1, paidAt: 1, createdAt: 1 })
        .sort({ createdAt: -1 })
        .limit(MAX_ORDERS)
        .lean();
      const boxIds = [...new Map(orders.flatMap((order) => order.draws.map((draw) => [draw.boxId.toHexString(), draw.boxId]))).values()];
      const boxes = boxIds.length === 0 ? [] : await Box.find({ _id: { $in: boxIds } }).select({ name: 1, coverUrl: 1, products: 1, sortOrder: 1 }).lean();

      // The catalog's current line-up, so missing kinds show; a box since removed falls back to the order's snapshot.
      const series = new Map<string, Series>();
      for (const box of boxes) {
        const kinds = new Map<string, Kind>(
          box.products.map(({ productId, name, rarity, imageUrl }) => [productId, { productId, name, rarity, imageUrl, draws: [] }]),
        );
        series.set(box._id.toHexString(), { boxId: box._id, name: box.name, coverUrl: box.coverUrl, sortOrder: box.sortOrder, kinds });
      }
      for (const order of orders) {
        const drawnAt = (order.paidAt ?? order.createdAt).toISOString();
        for (const draw of order.draws) {
          const key = draw.boxId.toHexString();
          let entry = series.get(key);
          if (!entry) {
            const item = order.items.find((line) => line.boxId.equals(draw.boxId));
            entry = { boxId: draw.boxId, name: item?.name ?? '', coverUrl: item?.coverUrl ?? '', sortOrder: Number.MAX_SAFE_INTEGER, kinds: new Map() };
            series.set(key, entry);
          }
          let kind = entry.kinds.get(draw.productId);
          if (!kind) {
            kind = { productId: draw.productId, name: draw.name, rarity: draw.rarity, imageUrl: draw.imageUrl, draws: [] };
            entry.kinds.set(draw.productId, kind);
          }
          kind.draws.push({ orderId: order._id.toHexString(), drawnAt });
        }
      }

      const result: CollectionSeries[] = [...series.values()]
        .sort((a, b) => a.sortOrder - b.sortOrder || a.boxId.toHexString().localeCompare(b.boxId.toHexString()))
        .map((entry) => {
          const items = [...entry.kinds.values()].map(({ productId, name, rarity, imageUrl, draws }) => ({
            productId,
            name,
            rarity,
            // Until it is drawn the shopper sees its outline; a picture from elsewhere has none, so it stays.
            imageUrl: draws.length > 0 ? imageUrl : (silhouetteUrlOf(imageUrl) ?? imageUrl),
            draws,
          }));
          const owned = items.filter((item) => item.draws.length > 0).length;
          return { boxId: entry.boxId.toHexString(), name: entry.name, coverUrl: entry.coverUrl, owned, total: items.length, items };
        });
      return {
        series: result,
        owned: result.reduce((sum, entry) => sum + entry.owned, 0),
        total: result.reduce((sum, entry) => sum + entry.total, 0),
      };
    },
  };
}
