import type { Connection } from 'mongoose';
import type { CatalogSetBoxFile } from '@blindbox/shared';
import { boxModel, type BoxDoc, type BoxProductDoc } from '../catalog/box.model';
import { ImportRefused } from '../catalog/catalog-errors';
import type { BoxFields, BoxImportPlan } from '../catalog/catalog-import';
import type { imageBatch } from '../catalog/images';
import { boxSetModel } from './set.model';
import { setService } from './set.service';

/** What the audit records of a whole-set box before and after an import. */
export interface SetBoxSummary {
  name: string;
  priceFen: number;
  version: number;
  /** The design ids in the file's order; SECRET ones replace a position in 1 set of every `secretEvery`. */
  designs: string[];
  /** Each design's published value (null: not set). */
  values: Record<string, number | null>;
  secretEvery: number | null;
  /** Sets this import makes (the box had none yet). */
  setsMade?: number;
}

export interface SetBoxImportInput {
  box: CatalogSetBoxFile;
  fields: BoxFields;
  /** Whether `fields` differ from the existing box's. */
  fieldsChanged: boolean;
  products: BoxProductDoc[];
  images: ReturnType<typeof imageBatch>;
  existing: BoxDoc | null;
}

/**
 * What a set is committed to: the designs (ids, names, rarities, pictures, order) and how often a secret comes.
 * Not the designs' values: a set's arrangement does not depend on them, so a value is corrected in place (the
 * audit entry keeps what it was) rather than refused once sets exist; a whole-set box has no versions.
 */
const designListOf = (box: Pick<BoxDoc, 'products' | 'setRules'>) =>
  JSON.stringify({
    designs: box.products.map(({ productId, name, rarity, imageUrl }) => ({ productId, name, rarity, imageUrl })),
    secretEvery: box.setRules?.secretEvery ?? null,
  });

const summaryOf = (box: Pick<BoxDoc, 'name' | 'priceFen' | 'version' | 'products' | 'setRules'>, setsMade: number): SetBoxSummary => ({
  name: box.name,
  priceFen: box.priceFen,
  version: box.version ?? 1,
  designs: box.products.map((product) => product.productId),
  values: Object.fromEntries(box.products.map((product) => [product.productId, product.valueFen ?? null])),
  secretEvery: box.setRules?.secretEvery ?? null,
  ...(setsMade > 0 ? { setsMade } : {}),
});

/**
 * Plans the import of a whole-set box (catalog-import.ts hands it over), matched by slug. Names, price, pictures
 * of the box and terms follow the file. Its design list changes only while no set of it exists: every set made
 * is committed to those designs, and its published arrangement is verified against them, so once the first set
 * is made a different line-up is refused (it is a new series: a new box with a slug of its own) rather than
 * versioned. `firstSets` sets are made when the box has none yet, so importing again never makes more.
 */
export async function planSetBoxImport(db: Connection, { box, fields, fieldsChanged, products, images, existing }: SetBoxImportInput): Promise<Omit<BoxImportPlan, 'findings'>> {
  const Box = boxModel(db);
  const BoxSet = boxSetModel(db);
  const sets = setService(db);
  const design = { products, guarantee: null, saleMode: 'SETS' as const, setRules: { secretEvery: box.secretEvery ?? null } };
  const makeFirstSets = async (boxId: BoxDoc['_id'], count: number) => {
    // Checked again at the write: sets made since the plan (another import, `admin sets create`) are the first ones.
    if (count > 0 && !(await BoxSet.exists({ boxId }))) await sets.create(boxId, count);
  };

  if (!existing) {
    return {
      slug: box.slug,
      action: 'create',
      before: null,
      after: summaryOf({ ...fields, ...design, version: 1 }, box.firstSets),
      async apply() {
        await images.save();
        const created = await Box.create({ slug: box.slug, ...fields, ...design, version: 1, active: true, retiredAt: null });
        await makeFirstSets(created._id, box.firstSets);
        return created._id;
      },
    };
  }

  const boxId = existing._id;
  const made = await BoxSet.countDocuments({ boxId });
  const designsChanged = designListOf(existing) !== designListOf(design);
  if (designsChanged && made > 0) {
    throw new ImportRefused(
      `box ${box.slug}: its design list is fixed once its first set is made (${made} set(s) are committed to it, and their published arrangements are verified against it); a new line-up is a new box with a slug of its own`,
    );
  }
  const setsToMake = made === 0 ? box.firstSets : 0;
  const valuesOf = (list: readonly BoxProductDoc[]) => JSON.stringify(list.map((product) => [product.productId, product.valueFen ?? null]));
  const changed = designsChanged || fieldsChanged || setsToMake > 0 || valuesOf(existing.products) !== valuesOf(products);
  return {
    slug: box.slug,
    action: changed ? 'update' : 'unchanged',
    before: summaryOf(existing, 0),
    after: summaryOf({ ...fields, ...design, version: existing.version ?? 1 }, setsToMake),
    async apply() {
      if (!changed) return boxId;
      if (designsChanged && (await BoxSet.exists({ boxId }))) throw new ImportRefused(`box ${box.slug}: a set was made while it was being imported; import again`);
      await images.save();
      await Box.updateOne({ _id: boxId, saleMode: 'SETS' }, { $set: { ...fields, ...design } }, { runValidators: true });
      await makeFirstSets(boxId, setsToMake);
      return boxId;
    },
  };
}
