import { SHIPPING_CARRIERS, consolePageQuerySchema, shippingImportRequestSchema, shippingUploadQuerySchema } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import type { ConsoleRoutes } from '../console/console-router';
import type { ShippingUploadDoc, ShippingUploadStatus } from './shipping-upload.model';

const uploadRow = (upload: ShippingUploadDoc) => ({
  orderId: upload._id.toHexString(),
  outTradeNo: upload.outTradeNo,
  trackingNo: upload.trackingNo,
  expressCompany: upload.expressCompany,
  shippedAt: upload.shippedAt.toISOString(),
  status: upload.status,
  attempts: upload.attempts,
  lastError: upload.lastError?.message ?? null,
  uploadedAt: upload.uploadedAt?.toISOString() ?? null,
});

export function shippingConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const desk = container.shippingDesk;

  routes.get('/shipping/queue', 'shipping.view', async (ctx) => {
    const { page, pageSize } = consolePageQuerySchema.parse(ctx.query);
    const { items, total } = await desk.toShip(page, pageSize);
    ctx.body = {
      items: items.map((order) => ({
        id: order._id.toHexString(),
        paidAt: (order.paidAt ?? new Date(0)).toISOString(),
        totalFen: order.totalFen,
        address: { name: order.address.name, phone: order.address.phone, region: order.address.region, detail: order.address.detail },
        items: order.items.map((item) => ({ name: item.name, quantity: item.quantity })),
        draws: order.draws.map((draw) => ({ name: draw.name, rarity: draw.rarity })),
      })),
      page,
      pageSize,
      total,
    };
  });

  routes.get('/shipping/carriers', 'shipping.view', async (ctx) => {
    ctx.body = { items: SHIPPING_CARRIERS, defaultCarrier: container.config.SHIPPING_EXPRESS_COMPANY };
  });

  routes.post('/shipping/import', 'shipping.import', async (ctx, caller) => {
    const { csv, dryRun } = shippingImportRequestSchema.parse(ctx.request.body);
    ctx.body = await desk.importCsv(csv, dryRun, caller);
  });

  routes.get('/shipping/uploads', 'shipping.view', async (ctx) => {
    const query = shippingUploadQuerySchema.parse(ctx.query);
    // Without a state: those WeChat has not accepted yet, the ones that need looking at.
    const status: ShippingUploadStatus = query.status ?? 'PENDING';
    const { items, total } = await desk.uploads(status, query.page, query.pageSize);
    ctx.body = { items: items.map(uploadRow), page: query.page, pageSize: query.pageSize, total };
  });

  routes.get('/shipping/reminders', 'shipping.view', async (ctx) => {
    const items = await container.pushEvents.openReminders(50);
    ctx.body = {
      items: items.map((reminder) => ({
        id: reminder._id,
        event: reminder.event,
        orderId: reminder.orderId?.toHexString() ?? null,
        outTradeNo: reminder.outTradeNo,
        message: reminder.message,
        pushedAt: reminder.pushedAt.toISOString(),
      })),
    };
  });

  routes.post('/shipping/reminders/:id/resolve', 'shipping.retry', async (ctx, caller) => {
    const id = String(ctx.params.id);
    const resolved = await caller.change({ command: 'reminder resolve', target: `reminder:${id}`, before: null, after: { resolved: true } }, () => container.pushEvents.resolveReminder(id, caller.actor));
    if (!resolved) throw new NotFound('reminder');
    ctx.body = { ok: true };
  });

  routes.post('/shipping/uploads/:orderId/retry', 'shipping.retry', async (ctx, caller) => {
    const upload = await desk.retryUpload(parseObjectId(ctx.params.orderId, 'order'), caller);
    if (!upload) throw new NotFound('shipping upload');
    ctx.body = uploadRow(upload);
  });
}
