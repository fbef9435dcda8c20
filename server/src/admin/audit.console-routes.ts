import { auditQuerySchema } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { auditEntryView } from '../orders/order-console-view';
import { beijingDayStart } from '../orders/order-search';
import { DEFAULT_AUDIT_DAYS } from './admin-audit';

/** The admin audit, read-only: the console has no route that edits or deletes an entry. */
export function auditConsoleRoutes({ audit, clock }: Container, routes: ConsoleRoutes): void {
  routes.get('/audit', 'audit.view', async (ctx) => {
    const query = auditQuerySchema.parse(ctx.query);
    const to = query.to ? beijingDayStart(query.to, true) : new Date(clock.now().getTime() + 60_000);
    const from = query.from ? beijingDayStart(query.from) : new Date(to.getTime() - DEFAULT_AUDIT_DAYS * 86_400_000);
    const { entries, total } = await audit.find({ actor: query.actor || undefined, target: query.target || undefined, from, to }, (query.page - 1) * query.pageSize, query.pageSize);
    ctx.body = { items: entries.map(auditEntryView), page: query.page, pageSize: query.pageSize, total };
  });
}
