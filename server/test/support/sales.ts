import type { Box, BoxPage, Coupon } from '@blindbox/shared';
import type { TestServer } from './test-server';
import { payAtSimulator, prepayIdOf, shopper } from './shop';
import { waitUntil } from './wechatpay-harness';
import { orderDoc } from './job-test-support';

/** The demo catalog's boxes by name, as a shopper's box list shows them. */
export type BoxesByName = Map<string, Box>;
export const starryCat = (boxes: BoxesByName) => boxes.get('星空猫咪')!.id;
export const mechaBoy = (boxes: BoxesByName) => boxes.get('机甲少年')!.id;

/**
 * A new shopper's order of `items` (chosen from the catalog by name), with their welcome coupon when asked, paid at
 * the simulator and fulfilled by its callback: what the sales figures count. Its id.
 */
export async function paidOrderOfBoxes(server: TestServer, code: string, items: (boxes: BoxesByName) => Array<{ boxId: string; quantity: number }>, withCoupon = false): Promise<string> {
  const user = await shopper(server, code);
  const boxes = new Map((await user.api.get<BoxPage>('/api/boxes')).body.items.map((box) => [box.name, box]));
  const couponId = withCoupon ? (await user.api.get<{ items: Coupon[] }>('/api/coupons')).body.items[0]!.id : undefined;
  const order = await user.placeOrder(items(boxes), couponId);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await user.payJsapi(order.id)).package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 20_000, 'payment');
  return order.id;
}
