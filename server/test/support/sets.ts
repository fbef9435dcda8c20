import { Types } from 'mongoose';
import type { Order } from '@blindbox/shared';
import { boxModel } from '../../src/catalog/box.model';
import { orderModel, type OrderDoc } from '../../src/orders/order.model';
import type { TestServer } from './test-server';
import { payAtSimulator, prepayIdOf } from './shop';
import { waitUntil } from './wechatpay-harness';

/** A whole-set box of `regular` designs (one position each) and one secret design, with `count` sets on sale. */
export async function setBoxWithSets(server: TestServer, regular: number, count: number, secretEvery: number | null = null): Promise<{ boxId: string; setIds: string[] }> {
  const slug = `sets-${new Types.ObjectId().toHexString()}`;
  const products = [
    ...Array.from({ length: regular }, (_, i) => ({ productId: `${slug}-p${i}`, name: `款${i}`, rarity: i === regular - 1 ? ('EPIC' as const) : ('COMMON' as const), imageUrl: `/p${i}.png`, weight: 1 })),
    { productId: `${slug}-secret`, name: '隐藏', rarity: 'SECRET' as const, imageUrl: '/secret.png', weight: 1 },
  ];
  const [box] = await boxModel(server.container.db).create([
    { slug, name: '端盒', coverUrl: '/c.png', priceFen: 1000, saleMode: 'SETS', setRules: { secretEvery }, products },
  ]);
  const sets = await server.container.sets.create(box!._id, count);
  return { boxId: box!._id.toHexString(), setIds: sets.map((set) => set._id.toHexString()) };
}

type Api = { post: <T>(path: string, body?: unknown) => Promise<{ status: number; body: T }> };

/** Pays the order in the simulator's pay sheet and waits until it is paid and drawn. */
export async function payAndWait(server: TestServer, api: Api, orderId: string): Promise<OrderDoc> {
  const { status, body } = await api.post<{ package: string }>(`/api/orders/${orderId}/pay/jsapi`);
  if (status !== 200) throw new Error(`jsapi failed: ${status} ${JSON.stringify(body)}`);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(body.package));
  return waitUntil(
    async () => {
      const order = await orderModel(server.container.db).findById(orderId).lean<OrderDoc>();
      // Settled too (holds kept, public log): that part runs after the callback's answer.
      return order?.status === 'TO_BE_DELIVERED' && order.draws.length > 0 && !order.settleDueAt ? order : null;
    },
    15_000,
    `order ${orderId} to be paid`,
  );
}

export type PlacedOrNot = { status: number; body: Order & { code?: string } };
