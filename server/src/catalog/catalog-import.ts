import type { Connection, Types } from 'mongoose';
import { formatFinding, isSetBoxFile, type CatalogBoxFile, type ComplianceFinding } from '@blindbox/shared';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { ServerSeeds } from '../fairness/server-seeds';
import { planSetBoxImport, type SetBoxSummary } from '../sets/set-box-import';
import { boxModel, type BoxDoc, type BoxProductDoc } from './box.model';
import { boxVersions, oddsOf } from './box-versions';
import { ImportRefused } from './catalog-errors';
import { boxFindings, refuseNonCompliant, type ComplianceSettings } from './compliance-checks';
import type { CatalogBoxSource } from './catalog-files';
import { imageBatch } from './images';
import { itemStock, type ItemCounts } from './item-stock';
import { stockLedger } from './stock';

export interface CatalogImportDeps {
  db: Connection;
  seeds: Pick<ServerSeeds, 'current' | 'rotate'>;
  /** The price and value checks (config COMPLIANCE_*); absent: the default thresholds, warnings only. */
  compliance?: ComplianceSettings;
}

export type ImportAction = 'create' | 'update' | 'new-version' | 'unchanged';

/** What the audit records of a box before and after an import. */
export interface BoxSummary {
  name: string;
  priceFen: number;
  version: number;
  weights: Record<string, number>;
  /** Each item's published value (null: not set): a change while on sale is a new version, like the odds. */
  values: Record<string, number | null>;
  guarantee: string | null;
  /** Units added to (+) or removed from (−) items by this import: new items come with their stock, dropped ones leave. */
  stockChanges?: ItemCounts;
}

export interface BoxImportPlan {
  slug: string;
  action: ImportAction;
  before: BoxSummary | SetBoxSummary | null;
  after: BoxSummary | SetBoxSummary;
  /** What the price and value checks found that does not refuse the import: the merchant is warned (compliance-checks.ts). */
  findings: ComplianceFinding[];
  /** Writes the plan; returns the box's id. */
  apply(): Promise<Types.ObjectId>;
}

/** Shown in the 盒柜 for an item not drawn yet when its file names no silhouette: a shape that gives nothing away. */
export const GENERIC_SILHOUETTE =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" rx="24" fill="#e8e8ee"/><circle cx="100" cy="82" r="38" fill="#c4c4cf"/><rect x="52" y="122" width="96" height="52" rx="26" fill="#c4c4cf"/></svg>';

const summaryOf = (box: Pick<BoxDoc, 'name' | 'priceFen' | 'version' | 'products' | 'guarantee'>): BoxSummary => ({
  name: box.name,
  priceFen: box.priceFen,
  version: box.version ?? 1,
  weights: Object.fromEntries(box.products.map((product) => [product.productId, product.weight])),
  values: Object.fromEntries(box.products.map((product) => [product.productId, product.valueFen ?? null])),
  guarantee: box.guarantee ? `${box.guarantee.minRarity} within ${box.guarantee.within}` : null,
});

export type BoxFields = ReturnType<typeof fieldsOf>;

/** Whether an import changes what the file's descriptive fields set (names, price, pictures, terms). */
const fieldsDiffer = (existing: BoxDoc, fields: BoxFields) => (Object.keys(fields) as (keyof BoxFields)[]).some((key) => existing[key] !== fields[key]);

function fieldsOf(box: CatalogBoxFile, coverUrl: string) {
  return {
    name: box.name,
    description: box.description,
    coverUrl,
    priceFen: box.priceFen,
    purchaseLimit: box.purchaseLimit ?? null,
    paymentWindowMinutes: box.paymentWindowMinutes ?? null,
    sortOrder: box.sortOrder,
  };
}

/**
 * Imports boxes from catalog files (catalog-files.ts), matched by slug, so importing the same files again
 * changes nothing. A new box is created on sale with its items' stock. For an existing one, names, prices,
 * pictures and terms follow the file; its items and weights (its odds) change in place only while it is not
 * on sale (inactive, nothing held or sold), otherwise they become a new version with a server seed of its
 * own. Stock is only set for items the box did not have: later changes go through `admin stock`. A box's sale
 * mode is fixed when it is created; whole-set boxes are planned by sets/set-box-import.ts.
 */
export function catalogImporter({ db, seeds, compliance }: CatalogImportDeps) {
  const Box = boxModel(db);
  const stock = stockLedger(db);
  const items = itemStock(db);
  const versions = boxVersions(db);

  async function plan(source: CatalogBoxSource): Promise<BoxImportPlan> {
    const { box } = source;
    const images = imageBatch(db);
    const fields = fieldsOf(box, await images.picture(source.cover));
    const products: BoxProductDoc[] = [];
    for (const item of box.items) {
      const pictures = source.pictures.get(item.id);
      if (!pictures) throw new Error(`picture of ${box.slug}/${item.id} was not read`);
      // A whole-set design is once per set: its weight only says so for the published line-up.
      products.push({
        productId: item.id,
        name: item.name,
        rarity: item.rarity,
        weight: item.weight ?? 1,
        valueFen: item.valueFen ?? null,
        imageUrl: await images.figure(pictures.picture, pictures.silhouette ?? { kind: 'svg', svg: GENERIC_SILHOUETTE }),
      });
    }
    // Checked before anything is planned: a box that may not be published is refused with every reason at once.
    const findings = refuseNonCompliant(box.slug, boxFindings({ priceFen: box.priceFen, products }, compliance), compliance);
    const existing = await Box.findOne({ slug: box.slug }).lean<BoxDoc>();
    const saleMode = box.saleMode ?? 'WEIGHTED';
    if (existing && (existing.saleMode ?? 'WEIGHTED') !== saleMode) {
      // Stock counters and committed sets do not turn into one another.
      throw new ImportRefused(`box ${box.slug} is sold ${existing.saleMode === 'SETS' ? 'as whole sets' : 'by weighted draws'}; a box keeps the sale mode it was created with: a series sold the other way is a new box with a slug of its own`);
    }
    if (isSetBoxFile(box)) return { ...(await planSetBoxImport(db, { box, fields, fieldsChanged: existing !== null && fieldsDiffer(existing, fields), products, images, existing })), findings };
    const odds = { products, guarantee: box.guarantee ?? null };
    const fileStock = Object.fromEntries(box.items.map((item) => [item.id, item.stock]));

    if (!existing) {
      return {
        slug: box.slug,
        action: 'create',
        before: null,
        after: { ...summaryOf({ ...fields, ...odds, version: 1 }), stockChanges: fileStock },
        findings,
        async apply() {
          await images.save();
          const created = await Box.create({ slug: box.slug, ...fields, ...odds, version: 1, active: true, retiredAt: null });
          await versions.publish(created, 1, (await seeds.current(created._id))._id);
          await stock.stockIfNew(created._id, fileStock);
          return created._id;
        },
      };
    }

    const boxId = existing._id;
    const version = existing.version ?? 1;
    const oddsChanged = oddsOf(existing) !== oddsOf(odds);
    const fieldsChanged = fieldsDiffer(existing, fields);
    const counts = await items.counts(boxId);
    // Items the box did not have come with their stock; items it drops take what they had left out of the box.
    const stockChanges: ItemCounts = {};
    if (counts) {
      for (const item of box.items) if (!(item.id in counts)) stockChanges[item.id] = item.stock;
      for (const [productId, left] of Object.entries(counts)) if (left > 0 && !products.some((product) => product.productId === productId)) stockChanges[productId] = -left;
    }
    const account = oddsChanged ? await stock.account(boxId) : null;
    const onSale = existing.active || (account !== null && account.held + account.sold + account.inFlight > 0);
    const newVersion = oddsChanged && onSale;
    const itemSetChanged = existing.products.map((product) => product.productId).sort().join() !== products.map((product) => product.productId).sort().join();
    if (newVersion && itemSetChanged && account && account.held + account.inFlight > 0) {
      // Orders placed under the current version draw only among its items: adding or dropping items now could
      // leave a paid unit of theirs with nothing to draw, so the new item set waits until they are paid or closed.
      throw new ImportRefused(`box ${box.slug}: ${account.held + account.inFlight} units are held for unpaid orders of version ${version}; add or remove items once they are paid or closed (weights may change now)`);
    }
    const nextVersion = newVersion ? version + 1 : version;
    const action: ImportAction = newVersion ? 'new-version' : oddsChanged || fieldsChanged || Object.keys(stockChanges).length > 0 ? 'update' : 'unchanged';

    return {
      slug: box.slug,
      action,
      before: summaryOf(existing),
      after: { ...summaryOf({ ...fields, ...odds, version: nextVersion }), ...(Object.keys(stockChanges).length > 0 ? { stockChanges } : {}) },
      findings,
      async apply() {
        if (action === 'unchanged') return boxId;
        await images.save();
        if (Object.keys(stockChanges).length > 0 && !(await stock.changeItems(boxId, stockChanges))) {
          throw new ImportRefused(`box ${box.slug}: the items it drops have units held for unpaid orders`);
        }
        // The new odds get a new commitment before any order can be placed under them.
        const seedId = newVersion ? (await seeds.rotate(boxId)).current._id : oddsChanged ? (await seeds.current(boxId))._id : null;
        const written = await Box.updateOne({ _id: boxId, version }, { $set: { ...fields, ...odds, version: nextVersion } }, { runValidators: true });
        if (written.matchedCount !== 1) throw new ImportRefused(`box ${box.slug} changed while it was being imported; import again`);
        if (seedId) await versions.publish({ _id: boxId, ...odds }, nextVersion, seedId);
        return boxId;
      },
    };
  }

  return { plan };
}

/** Plans every box before the first is written: a refusal of any one (a rule, the price checks) writes nothing. */
export async function planImport(importer: ReturnType<typeof catalogImporter>, sources: readonly CatalogBoxSource[]): Promise<BoxImportPlan[]> {
  const plans: BoxImportPlan[] = [];
  for (const source of sources) plans.push(await importer.plan(source));
  return plans;
}

/**
 * Writes the plans that change something, each recorded in the audit as `command` (the CLI's `box import`, the
 * console's) with the compliance warnings the box was published over (a dry run's recorder shows them instead).
 */
export async function applyPlans(plans: readonly BoxImportPlan[], record: ChangeRecorder, command: string): Promise<void> {
  for (const plan of plans) {
    if (plan.action === 'unchanged') continue;
    const after = plan.findings.length > 0 ? { ...plan.after, complianceWarnings: plan.findings.map(formatFinding) } : plan.after;
    await record({ command, target: `box:${plan.slug}`, before: plan.before, after }, plan.apply);
  }
}
