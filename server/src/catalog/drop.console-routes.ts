import { scheduleDropRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { parseObjectId } from '../object-id';
import { dropWatch } from './drop-watch';

/** Drops in the console: every box's drop, scheduling and cancelling one (the CLI's drop desk), and a drop live. */
export function dropConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const watch = dropWatch(container);
  const boxOf = (id: string | undefined) => watch.box(parseObjectId(id, 'box'));
  const rowOf = async (id: string) => (await watch.live(parseObjectId(id, 'box'))).box;

  routes.get('/drops', 'catalog.view', async (ctx) => {
    ctx.body = await watch.list();
  });

  routes.get('/drops/:boxId/live', 'catalog.view', async (ctx) => {
    ctx.body = await watch.live(parseObjectId(ctx.params.boxId, 'box'));
  });

  routes.post('/drops/:boxId', 'catalog.manage', async (ctx, { change }) => {
    const request = scheduleDropRequestSchema.parse(ctx.request.body);
    const box = await boxOf(ctx.params.boxId);
    await container.drops.schedule(box, { ...request, onSaleAt: new Date(request.onSaleAt) }, change);
    ctx.body = await rowOf(box._id.toHexString());
  });

  routes.post('/drops/:boxId/cancel', 'catalog.manage', async (ctx, { change }) => {
    const box = await boxOf(ctx.params.boxId);
    await container.drops.cancel(box, change);
    ctx.body = await rowOf(box._id.toHexString());
  });
}
