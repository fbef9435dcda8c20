import { COMPLAINT_LIST_DAYS, complaintListQuerySchema, complaintRefundSchema, complaintReplySchema } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { NotFound } from '../domain-error';
import { refundLimitFor } from '../staff/staff.console-routes';
import { complaintImageModel, type ComplaintImageDoc } from './complaint-image.model';
import { complaintDetail, complaintRow } from './complaint-console-view';

const DAY_MS = 86_400_000;
/** What WeChat's list is asked for by 同步 (its 30-day windows, twice). */
const SYNC_DAYS = 60;

/** WeChat Pay complaints in the console: the list, one complaint, its pictures, and reply / refund / complete. */
export function complaintConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { complaints, clock } = container;

  routes.get('/complaints', 'complaints.view', async (ctx) => {
    const query = complaintListQuerySchema.parse(ctx.query);
    const since = new Date(clock.now().getTime() - COMPLAINT_LIST_DAYS * DAY_MS);
    const { items, total } = await complaints.list({ state: query.state, since, page: query.page, pageSize: query.pageSize });
    ctx.body = { items: items.map(complaintRow), page: query.page, pageSize: query.pageSize, total };
  });

  /** Reads WeChat's list again, for a notification that never came. */
  routes.post('/complaints/sync', 'complaints.handle', async (ctx, caller) => {
    ctx.body = await caller.change({ command: 'complaints sync', target: 'wechatpay:complaints', before: null, after: (result: { complaints: number }) => result }, () => complaints.syncRecent(SYNC_DAYS));
  });

  routes.get('/complaints/:id', 'complaints.view', async (ctx) => {
    ctx.body = complaintDetail(await complaints.load(ctx.params.id ?? ''));
  });

  routes.get('/complaints/:id/images/:imageId', 'complaints.view', async (ctx) => {
    const complaint = await complaints.load(ctx.params.id ?? '');
    const imageId = ctx.params.imageId ?? '';
    // Only a picture of this complaint: an image id alone opens nothing.
    const inComplaint = complaint.imageIds.includes(imageId) || complaint.history.some((entry) => entry.imageIds.includes(imageId));
    const image = inComplaint ? await complaintImageModel(container.db).findById(imageId).lean<ComplaintImageDoc>() : null;
    if (!image) throw new NotFound('complaint image');
    ctx.type = image.contentType;
    ctx.set('Cache-Control', 'private, max-age=86400');
    ctx.body = bytesOf(image.data);
  });

  routes.post('/complaints/:id/reply', 'complaints.handle', async (ctx, caller) => {
    const { content } = complaintReplySchema.parse(ctx.request.body);
    ctx.body = complaintDetail(await complaints.reply(ctx.params.id ?? '', content, caller));
  });

  routes.post('/complaints/:id/refund', 'complaints.handle', async (ctx, caller) => {
    const request = complaintRefundSchema.parse(ctx.request.body);
    ctx.body = complaintDetail(await complaints.refund(ctx.params.id ?? '', request, { ...caller, refundLimitFen: refundLimitFor(container, caller.staff.role) }));
  });

  routes.post('/complaints/:id/complete', 'complaints.handle', async (ctx, caller) => {
    ctx.body = complaintDetail(await complaints.complete(ctx.params.id ?? '', caller));
  });
}

/** A lean read gives BSON Binary (its bytes in `buffer`), not a Buffer. */
function bytesOf(data: Buffer | { buffer: Uint8Array }): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer);
}
