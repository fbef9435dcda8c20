import { Types } from 'mongoose';
import type { TestServer } from './test-server';
import { payAtSimulator, prepayIdOf, shopper } from './shop';
import { waitUntil } from './wechatpay-harness';
import { orderDoc } from './job-test-support';
import { runAdminCommand } from '../../src/admin/run-admin-command';

/** A mini-program (JSAPI) order paid, shipped, and its shipping information accepted by the platform. */
export async function shippedOrder(server: TestServer, code: string) {
  const buyer = await shopper(server, code);
  const order = await buyer.placeOrder();
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order.id)).package));
  const paid = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'TO_BE_DELIVERED' && !current.settleDueAt ? current : null;
  }, 60_000, 'the payment callback');
  const shipped = await runAdminCommand(server.container, ['ship', order.id, '--note', `SF${Date.now()}`]);
  if (shipped.exitCode !== 0) throw new Error(shipped.output);
  await waitUntil(async () => ((await server.container.shipping.status(new Types.ObjectId(order.id)))?.status === 'UPLOADED' ? true : null), 60_000, 'the upload');
  return { buyer, orderId: order.id, transactionId: paid.payment.transactionId!, outTradeNo: paid.payment.outTradeNo! };
}
