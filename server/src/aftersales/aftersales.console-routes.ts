import { aftersalesQueueQuerySchema, aftersalesReplySchema, aftersalesResolveRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleCaller, ConsoleRoutes } from '../console/console-router';
import { parseObjectId } from '../object-id';
import { refundLimitFor } from '../staff/staff.console-routes';
import { aftersalesDetail, aftersalesRow } from './aftersales-view';
import type { AftersalesDoc } from './aftersales.model';
import type { AftersalesCaller } from './aftersales.service';

const DAY_MS = 86_400_000;

/** After-sales in the console: the queue, one request with its order, replies and the resolution. */
export function aftersalesConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { aftersales, audit, shipping, clock } = container;

  async function detailOf(request: AftersalesDoc) {
    const order = await aftersales.loadOrder(request.orderId);
    // The request's own audit entries, by target over its life (the target index finds them).
    const { entries } = await audit.find(
      { target: `aftersales:${request._id.toHexString()}`, from: new Date(request.createdAt.getTime() - DAY_MS), to: new Date(clock.now().getTime() + DAY_MS) },
      0,
      200,
    );
    const upload = await shipping.status(order._id);
    return aftersalesDetail(request, order, entries, upload?.trackingNo ?? order.trackingNote);
  }

  const callerOf = (caller: ConsoleCaller): AftersalesCaller => ({ actor: caller.actor, change: caller.change, refundLimitFen: refundLimitFor(container, caller.staff.role) });

  routes.get('/aftersales', 'aftersales.view', async (ctx) => {
    const query = aftersalesQueueQuerySchema.parse(ctx.query);
    const { items, total } = await aftersales.queue(query.state, query.page, query.pageSize);
    const orders = await aftersales.ordersOf(items.map((request) => request.orderId));
    ctx.body = {
      items: items.map((request) => aftersalesRow(request, orders.get(request.orderId.toHexString())?.items[request.itemIndex]?.name ?? '')),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  });

  routes.get('/aftersales/:id', 'aftersales.view', async (ctx) => {
    ctx.body = await detailOf(await aftersales.load(parseObjectId(ctx.params.id, 'after-sales request')));
  });

  routes.post('/aftersales/:id/messages', 'aftersales.handle', async (ctx, caller) => {
    const id = parseObjectId(ctx.params.id, 'after-sales request');
    const { text } = aftersalesReplySchema.parse(ctx.request.body);
    ctx.body = { request: await detailOf(await aftersales.staffReply(id, text, callerOf(caller))) };
  });

  routes.post('/aftersales/:id/resolve', 'aftersales.handle', async (ctx, caller) => {
    const id = parseObjectId(ctx.params.id, 'after-sales request');
    const decision = aftersalesResolveRequestSchema.parse(ctx.request.body);
    ctx.body = { request: await detailOf(await aftersales.resolve(id, decision, callerOf(caller))) };
  });
}
