import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beijingTime, CATALOG_ZIP_MAX_BYTES, CONSOLE_API_PREFIX, consoleCatalogImportQuerySchema, type ConsoleCatalogImport } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { fileBody } from '../http/body';
import { boxModel, type BoxDoc } from './box.model';
import { CatalogFilesInvalid } from './catalog-errors';
import { exportBox } from './catalog-export';
import { readCatalogSource, type CatalogFileError } from './catalog-files';
import { applyPlans, catalogImporter, planImport, type BoxImportPlan } from './catalog-import';
import { planBody, VersionNotConfirmed } from './catalog.console-routes';
import { complianceSettingsOf } from './compliance-checks';
import { catalogZip, unpackCatalogZip } from './catalog-zip';

export const CATALOG_IMPORT_PATH = '/catalog/import';

/** The routes whose body is a file (http/body.ts leaves it to them). */
export const CATALOG_FILE_UPLOADS = [`${CONSOLE_API_PREFIX}${CATALOG_IMPORT_PATH}`];

/** A file error as staff read it: the file by its name in the zip, then line and column. */
const staffText = (root: string, error: CatalogFileError) =>
  `${path.relative(root, error.file) || path.basename(error.file)} 第 ${error.line} 行第 ${error.column} 列：${error.path ? `${error.path} ` : ''}${error.message}`;

/** The odds versions the plans publish, as `confirm` names them. */
const versionsOf = (plans: readonly BoxImportPlan[]) =>
  plans
    .filter((plan) => plan.action === 'new-version')
    .map((plan) => `${plan.slug}:${plan.after.version}`)
    .join(',');

/**
 * Catalog files from the console: the zip `box export` would write for every series, and the import of such a
 * zip through the same reader and importer as `box import` (catalog-files.ts, catalog-import.ts): planned
 * first, written only when asked, a new odds version only when confirmed, as the series editor does.
 */
export function catalogFilesConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { db, config } = container;

  /** Every series not retired (a retired one is not for sale again): `<slug>.yaml` and its pictures under `<slug>/`. */
  routes.get('/catalog/export', 'catalog.view', async (ctx) => {
    // By `active` (its index; a retired box is never active), not a scan of every box.
    const Box = boxModel(db);
    const [onSale, offSale] = await Promise.all([Box.find({ active: true }).limit(500).lean<BoxDoc[]>(), Box.find({ active: false }).limit(500).lean<BoxDoc[]>()]);
    const boxes = [...onSale, ...offSale.filter((box) => box.retiredAt === null)].sort((a, b) => a.sortOrder - b.sortOrder);
    const exported = [];
    for (const box of boxes) exported.push(await exportBox(db, box.slug));
    ctx.set('Content-Disposition', `attachment; filename="catalog-${beijingTime(new Date()).slice(0, 10)}.zip"`);
    ctx.type = 'application/zip';
    ctx.body = Buffer.from(catalogZip(exported));
  });

  routes.post(CATALOG_IMPORT_PATH, 'catalog.manage', async (ctx, caller) => {
    const { apply, confirm } = consoleCatalogImportQuerySchema.parse(ctx.query);
    const bytes = await fileBody(ctx, CATALOG_ZIP_MAX_BYTES);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'console-import-'));
    try {
      const root = await unpackCatalogZip(bytes, dir);
      const { boxes, errors } = await readCatalogSource(root);
      if (errors.length > 0) throw new CatalogFilesInvalid(errors.map((error) => staffText(root, error)).join('\n'), { errors: errors.length });
      const plans = await planImport(catalogImporter({ db, seeds: container.fairness.seeds, compliance: complianceSettingsOf(config) }), boxes);
      const versions = versionsOf(plans);
      if (apply) {
        const confirmed = new Set(confirm.split(',').filter(Boolean));
        const unconfirmed = versions.split(',').filter((version) => version && !confirmed.has(version));
        if (unconfirmed.length > 0) {
          throw new VersionNotConfirmed(`on sale, this import publishes odds version(s) ${unconfirmed.join(', ')}; confirm them after reading the plan`, { confirm: versions });
        }
        await applyPlans(plans, caller.change, 'box import');
      }
      const body: ConsoleCatalogImport = { applied: apply, boxes: plans.map(planBody), confirm: versions };
      ctx.body = body;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
