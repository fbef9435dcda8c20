import Router from '@koa/router';
import { subscribeGrantsRequestSchema, type NotificationSettings, type SubscribeGrantsResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { parseObjectId } from '../object-id';
import { requireUser } from '../users/require-user';
import { unauthorized } from '../http/app-error';
import type { Context } from 'koa';

/** The shopper's side of subscribe messages: which templates to ask for, and what WeChat answered. */
export function notificationRoutes({ sessions, notifications }: Pick<Container, 'sessions' | 'notifications'>): Router {
  const { service } = notifications;
  const router = new Router({ prefix: '/api/notifications' });
  router.use(requireUser(sessions));

  /** WeChat addresses messages to the openid the session was issued for. */
  function openidOf(ctx: Context): string {
    if (!ctx.state.openid) throw unauthorized();
    return ctx.state.openid;
  }

  async function dropReminder(openid: string, boxIdText: string | undefined): Promise<boolean> {
    if (!boxIdText) return false;
    return service.hasDropReminder(openid, { _id: parseObjectId(boxIdText, 'box') });
  }

  router.get('/', async (ctx) => {
    const ids = service.templateIds();
    const body: NotificationSettings = {
      templates: { dropOpening: ids['drop-opening'], orderShipped: ids['order-shipped'], refundSucceeded: ids['refund-succeeded'], serviceUpdate: ids['service-update'] },
      dropReminder: await dropReminder(openidOf(ctx), typeof ctx.query.boxId === 'string' ? ctx.query.boxId : undefined),
    };
    ctx.body = body;
  });

  router.post('/grants', async (ctx) => {
    const openid = openidOf(ctx);
    const input = subscribeGrantsRequestSchema.parse(ctx.request.body);
    const { granted } = await service.recordGrants(openid, input.answers, input.boxId ? parseObjectId(input.boxId, 'box') : null);
    const body: SubscribeGrantsResponse = { granted, dropReminder: await dropReminder(openid, input.boxId) };
    ctx.status = 201;
    ctx.body = body;
  });

  return router;
}
