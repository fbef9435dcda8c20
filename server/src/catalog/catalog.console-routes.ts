import { consoleBoxSaveSchema, consoleStockChangeSchema, formatFinding, type ConsoleBoxPlan, type ConsoleBoxRow, type ConsoleStockReport } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound, ruleError } from '../domain-error';
import type { ConsoleRoutes } from '../console/console-router';
import { boxModel, type BoxDoc } from './box.model';
import { editableBox, editedBoxSource } from './box-editor';
import { applyPlans, catalogImporter, type BoxImportPlan } from './catalog-import';
import { complianceSettingsOf } from './compliance-checks';
import { changeStock, stockReport } from './stock-desk';

/** A save that would publish a new odds version, sent without confirming that version: nothing is written. */
export const VersionNotConfirmed = ruleError('CONFLICT', 'VERSION_NOT_CONFIRMED');

export const planBody = (plan: BoxImportPlan): ConsoleBoxPlan => ({
  slug: plan.slug,
  action: plan.action,
  before: plan.before as unknown as ConsoleBoxPlan['before'],
  after: plan.after as unknown as ConsoleBoxPlan['after'],
  warnings: plan.findings.map(formatFinding),
});

/**
 * The series editor and stock page (/api/console/catalog/…). A save goes through the importer `box import`
 * uses (catalog-import.ts): the same checks, the same odds versioning, the same audit entry shape.
 */
export function catalogConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { db, stock, config } = container;
  const Box = boxModel(db);
  const importer = () => catalogImporter({ db, seeds: container.fairness.seeds, compliance: complianceSettingsOf(config) });
  const boxBySlug = async (slug: string | undefined) => {
    const box = await Box.findOne({ slug: slug ?? '' }).lean<BoxDoc>();
    if (!box) throw new NotFound(`box ${slug}`);
    return box;
  };

  routes.get('/catalog/boxes', 'catalog.view', async (ctx) => {
    const boxes = await Box.find({}).sort({ sortOrder: 1 }).limit(500).lean<BoxDoc[]>();
    const available = await stock.available(boxes.map((box) => box._id));
    const items: ConsoleBoxRow[] = boxes.map((box) => ({
      id: box._id.toHexString(),
      slug: box.slug,
      name: box.name,
      priceFen: box.priceFen,
      coverUrl: box.coverUrl,
      saleMode: box.saleMode ?? 'WEIGHTED',
      version: box.version ?? 1,
      active: box.active,
      retired: box.retiredAt !== null,
      available: available.get(box._id.toHexString()) ?? 0,
      items: box.products.length,
    }));
    ctx.body = { items };
  });

  routes.get('/catalog/boxes/:slug', 'catalog.view', async (ctx) => {
    const box = await boxBySlug(ctx.params.slug);
    ctx.body = { box: await editableBox(db, box), version: box.version ?? 1, saleMode: box.saleMode ?? 'WEIGHTED' };
  });

  /** What a save would do, written nowhere: the editor shows the diff before asking to confirm a new version. */
  routes.post('/catalog/boxes/plan', 'catalog.manage', async (ctx) => {
    const { box } = consoleBoxSaveSchema.parse(ctx.request.body);
    ctx.body = planBody(await importer().plan(await editedBoxSource(db, box)));
  });

  routes.post('/catalog/boxes', 'catalog.manage', async (ctx, caller) => {
    const { box, confirmVersion } = consoleBoxSaveSchema.parse(ctx.request.body);
    const plan = await importer().plan(await editedBoxSource(db, box));
    if (plan.action === 'new-version' && confirmVersion !== plan.after.version) {
      throw new VersionNotConfirmed(`box ${plan.slug} is on sale: this change publishes odds version ${plan.after.version}; confirm it after reading the diff`, { version: plan.after.version });
    }
    await applyPlans([plan], caller.change, 'box save');
    ctx.body = planBody(plan);
  });

  routes.get('/catalog/boxes/:slug/stock', 'catalog.view', async (ctx) => {
    const box = await boxBySlug(ctx.params.slug);
    const report = await stockReport(container, box);
    const since = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    const { entries } = await container.audit.find({ target: `box:${box.slug}`, from: since, to: new Date(Date.now() + 60_000) }, 0, 100);
    const body: ConsoleStockReport = {
      ...report,
      history: entries.map((entry) => ({ at: entry.at.toISOString(), actor: entry.actor, command: entry.command, change: { before: entry.before, after: entry.after } })),
    };
    ctx.body = body;
  });

  /** Adds (or with a negative number takes) units of one item, never below what unpaid orders hold (stock-desk.ts). */
  routes.post('/catalog/boxes/:slug/stock', 'catalog.manage', async (ctx, caller) => {
    const box = await boxBySlug(ctx.params.slug);
    const { itemId, add } = consoleStockChangeSchema.parse(ctx.request.body);
    if (!box.products.some((product) => product.productId === itemId)) throw new NotFound(`item ${itemId} of box ${box.slug}`);
    const before = (await stockReport(container, box)).items.find((item) => item.id === itemId)?.left ?? 0;
    await caller.change(
      { command: 'stock add', target: `box:${box.slug}`, before: { items: { [itemId]: before } }, after: (written: Record<string, number>) => ({ items: written, add }) },
      () => changeStock(container, box._id, [itemId], add, null),
    );
    ctx.body = await stockReport(container, box);
  });
}
