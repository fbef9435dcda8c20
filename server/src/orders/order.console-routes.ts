import { beijingTime, cancelRequestSchema, fenToYuan, orderSearchQuerySchema, receivedRequestSchema, refundRequestSchema, shipRequestSchema, staffAddressRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { drawProofOf } from '../fairness/draw-proof';
import { parseObjectId } from '../object-id';
import { heldForRefundsFen } from '../payments/refund-amounts';
import type { ConsoleRoutes } from '../console/console-router';
import { csvDocument } from '../console/csv';
import { refundLimitFor } from '../staff/staff.console-routes';
import { orderDetail, orderRow } from './order-console-view';
import { orderSearch } from './order-search';
import type { OrderDoc } from './order.model';

const DAY_MS = 86_400_000;

/** Orders in the console: search, export, one order, and what staff do to it (through the order desk). */
export function orderConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { desk, audit, shipping, fairness, notifications } = container;
  const search = orderSearch(container.db, () => container.clock.now());

  async function detailOf(order: OrderDoc) {
    const target = `order:${order._id.toHexString()}`;
    // The order's own audit entries: by target, over its life (the target index finds them).
    const { entries } = await audit.find({ target, from: new Date(order.createdAt.getTime() - DAY_MS), to: new Date(container.clock.now().getTime() + DAY_MS) }, 0, 200);
    const upload = await shipping.status(order._id);
    // What the shopper heard of it: a shipment recorded, each refund that succeeded (notifications/notifier.ts).
    const notices = await notifications.service.orderNotices(order.openid, {
      orderId: order._id.toHexString(),
      shipped: upload !== null,
      refundsSucceeded: order.refunds.filter((refund) => refund.status === 'SUCCESS').map((refund) => refund.outRefundNo),
    });
    return orderDetail(order, entries, upload, notices);
  }

  routes.get('/orders', 'orders.view', async (ctx) => {
    const query = orderSearchQuerySchema.parse(ctx.query);
    const { items, total } = await search.search(query);
    ctx.body = { items: items.map(orderRow), page: query.page, pageSize: query.pageSize, total };
  });

  routes.get('/orders/export.csv', 'orders.export', async (ctx) => {
    const query = orderSearchQuerySchema.parse(ctx.query);
    const orders = await search.exportRows(query);
    ctx.set('Content-Disposition', `attachment; filename="orders-${beijingTime(container.clock.now()).slice(0, 10)}.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = csvDocument(
      ['订单号', '状态', '下单时间(北京)', '付款时间(北京)', '金额(元)', '已退(元)', '件数', '商品', '收货人', '电话', '地区', '地址', '支付渠道', '商户订单号', '交易单号', '运单号', 'openid'],
      orders.map((order) => {
        const row = orderRow(order);
        return [
          row.id,
          row.status,
          beijingTime(order.createdAt),
          order.paidAt ? beijingTime(order.paidAt) : '',
          fenToYuan(order.totalFen),
          fenToYuan(heldForRefundsFen(order)),
          row.units,
          order.items.map((item) => `${item.name}×${item.quantity}`).join('；'),
          order.address.name,
          order.address.phone,
          order.address.region,
          order.address.detail,
          row.channel,
          row.outTradeNo,
          row.transactionId,
          row.trackingNo,
          row.openid,
        ];
      }),
    );
  });

  routes.get('/orders/:id', 'orders.view', async (ctx) => {
    ctx.body = await detailOf(await desk.load(parseObjectId(ctx.params.id, 'order')));
  });

  routes.get('/orders/:id/channel', 'orders.view', async (ctx) => {
    const order = await desk.load(parseObjectId(ctx.params.id, 'order'));
    const live = await desk.channelView(order);
    ctx.body = { ...live, successTime: live.successTime?.toISOString() ?? null, refunds: await refundViews(container, order) };
  });

  routes.get('/orders/:id/proofs/:unitIndex', 'orders.view', async (ctx) => {
    const order = await desk.load(parseObjectId(ctx.params.id, 'order'));
    const unitIndex = Number(ctx.params.unitIndex);
    const proof = Number.isInteger(unitIndex) ? order.draws[unitIndex]?.proof : null;
    const seed = proof && (await fairness.seeds.byId(proof.seedId));
    const body = seed ? drawProofOf(order, unitIndex, seed) : null;
    if (!body) throw new NotFound('draw');
    ctx.body = body;
  });

  routes.post('/orders/:id/reconcile', 'orders.reconcile', async (ctx, caller) => {
    ctx.body = await desk.reconcile(parseObjectId(ctx.params.id, 'order'), caller);
  });

  routes.post('/orders/:id/refunds', 'orders.refund', async (ctx, caller) => {
    const orderId = parseObjectId(ctx.params.id, 'order');
    const request = refundRequestSchema.parse(ctx.request.body);
    await desk.refund(orderId, request, { ...caller, refundLimitFen: refundLimitFor(container, caller.staff.role) });
    ctx.body = { order: await detailOf(await desk.load(orderId)) };
  });

  routes.post('/orders/:id/ship', 'orders.ship', async (ctx, caller) => {
    const orderId = parseObjectId(ctx.params.id, 'order');
    await desk.ship(orderId, shipRequestSchema.parse(ctx.request.body), caller);
    ctx.body = { order: await detailOf(await desk.load(orderId)) };
  });

  // The carrier delivered the parcel (签收): recorded once; a mini-program payment's shopper then gets WeChat's reminder.
  routes.post('/orders/:id/received', 'orders.ship', async (ctx, caller) => {
    const orderId = parseObjectId(ctx.params.id, 'order');
    const { receivedAt } = receivedRequestSchema.parse(ctx.request.body);
    await container.receipts.markReceived(orderId, receivedAt ? new Date(receivedAt) : new Date(), caller);
    ctx.body = { order: await detailOf(await desk.load(orderId)) };
  });

  // Who ships an order may say where it goes: a shopper who moved after paying asks customer service.
  routes.post('/orders/:id/address', 'orders.ship', async (ctx, caller) => {
    const orderId = parseObjectId(ctx.params.id, 'order');
    await desk.readdress(orderId, staffAddressRequestSchema.parse(ctx.request.body), caller);
    ctx.body = { order: await detailOf(await desk.load(orderId)) };
  });

  routes.post('/orders/:id/cancel', 'orders.cancel', async (ctx, caller) => {
    const orderId = parseObjectId(ctx.params.id, 'order');
    await desk.cancelUnpaid(orderId, cancelRequestSchema.parse(ctx.request.body).reason, caller);
    ctx.body = { order: await detailOf(await desk.load(orderId)) };
  });
}

/** Each refund as the channel has it now (asked one by one: a shop's order has a few). */
async function refundViews(container: Container, order: OrderDoc) {
  return Promise.all(
    order.refunds.map(async (refund) => {
      try {
        const live = await container.channels.of(refund).queryRefund(refund.outRefundNo, refund.outTradeNo);
        return { outRefundNo: refund.outRefundNo, status: live?.status ?? 'NOT_FOUND', error: null };
      } catch (error) {
        return { outRefundNo: refund.outRefundNo, status: null, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
