import type { Order } from '@blindbox/shared';
import type { OrderDoc } from './order.model';
import { toBoxProductDtos } from '../catalog/box-view';
import { receiptByWechat } from '../shipping/receipt-state';

const iso = (date: Date) => date.toISOString();

/** The order as the API shows it: odds from the snapshot's weights (what its draw used), ids as hex strings. */
export function toOrderDto(order: OrderDoc): Order {
  return {
    id: order._id.toHexString(),
    status: order.status,
    items: order.items.map((item) => ({
      boxId: item.boxId.toHexString(),
      name: item.name,
      coverUrl: item.coverUrl,
      priceFen: item.priceFen,
      quantity: item.quantity,
      ...(item.boxVersion ? { boxVersion: item.boxVersion } : {}),
      products: toBoxProductDtos(item.products),
      ...(item.setPick ? { setPick: { setId: item.setPick.setId.toHexString(), number: item.setPick.number, positions: [...item.setPick.positions] } } : {}),
      ...(item.seedId && item.seedHash ? { commitment: { seedId: item.seedId, serverSeedHash: item.seedHash } } : {}),
    })),
    subtotalFen: order.subtotalFen,
    discountFen: order.discountFen,
    totalFen: order.totalFen,
    address: { name: order.address.name, phone: order.address.phone, region: order.address.region, detail: order.address.detail },
    couponId: order.couponId?.toHexString() ?? null,
    expiresAt: iso(order.expiresAt),
    createdAt: iso(order.createdAt),
    paidAt: order.paidAt ? iso(order.paidAt) : null,
    draws: order.draws.map((draw) => ({
      boxId: draw.boxId.toHexString(),
      productId: draw.productId,
      name: draw.name,
      rarity: draw.rarity,
      imageUrl: draw.imageUrl,
      proof: draw.proof ? { ...draw.proof, drawnAt: iso(draw.proof.drawnAt) } : null,
      ...(draw.set ? { set: { ...draw.set, setId: draw.set.setId.toHexString() } } : {}),
    })),
    trackingNote: order.trackingNote,
    receiptBy: receiptByWechat(order) ? 'WECHAT' : 'SHOP',
    wechatTransactionId: receiptByWechat(order) ? order.payment.transactionId : null,
    audit: order.audit.map((entry) => ({ ...entry, at: iso(entry.at) })),
  };
}
