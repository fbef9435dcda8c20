import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mongoose';
import type { ServerSeeds } from '../fairness/server-seeds';
import { boxModel } from './box.model';
import { formatFileError, readCatalogSource } from './catalog-files';
import { catalogImporter } from './catalog-import';
import { stockLedger } from './stock';
import { isSetBox, setService } from '../sets/set.service';
import { seedWelcomeCoupon } from '../coupons/seed-coupons';

/** The server package's folder, from source (server/src/catalog/) and from a build (server/dist/) alike. */
function serverPackageDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** The demo catalog: one file per box with its pictures beside it (server/catalog/). */
export const DEMO_CATALOG_DIR = path.join(serverPackageDir(), 'catalog');

export interface SeedSummary {
  created: number;
  updated: number;
  boxes: { slug: string; name: string; stock: number }[];
}

/**
 * Loads the demo catalog through the same import as `admin box import`; safe to run on every start. Boxes are
 * matched by slug: what the files describe is applied (changed odds of a box on sale become a new version),
 * but stock is only set for items a box does not have yet, so re-seeding never undoes sales or hands back
 * units held by unpaid orders, and a whole-set box makes its first sets only while it has none.
 */
export async function seedCatalog(db: Connection, seeds: Pick<ServerSeeds, 'current' | 'rotate'>, dir = DEMO_CATALOG_DIR): Promise<SeedSummary> {
  const { boxes: sources, errors } = await readCatalogSource(dir);
  if (errors.length > 0) throw new Error(`the catalog in ${dir} is not valid:\n${errors.map(formatFileError).join('\n')}`);
  const importer = catalogImporter({ db, seeds });
  await seedWelcomeCoupon(db);
  let created = 0;
  for (const source of sources) {
    const plan = await importer.plan(source);
    await plan.apply();
    if (plan.action === 'create') created += 1;
  }
  const boxes = await boxModel(db).find({ slug: { $in: sources.map((source) => source.box.slug) } }).sort({ sortOrder: 1 }).lean();
  const [available, free] = await Promise.all([stockLedger(db).available(boxes.filter((box) => !isSetBox(box)).map((box) => box._id)), setService(db).freeByBox(boxes.filter(isSetBox).map((box) => box._id))]);
  return {
    created,
    updated: sources.length - created,
    // A whole-set box's stock is its free positions, not a counter.
    boxes: boxes.map((box) => ({ slug: box.slug, name: box.name, stock: free.get(box._id.toHexString()) ?? available.get(box._id.toHexString()) ?? 0 })),
  };
}
