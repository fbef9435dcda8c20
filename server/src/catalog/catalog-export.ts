import type { Connection } from 'mongoose';
import type { CatalogBoxFile, CatalogDesignFile } from '@blindbox/shared';
import { NotFound } from '../domain-error';
import { isSetBox, setService } from '../sets/set.service';
import { boxModel, type BoxDoc } from './box.model';
import { GENERIC_SILHOUETTE } from './catalog-import';
import { silhouetteFor } from '../media/picture-variants';
import { storedPicture, type StoredFile } from './images';
import { itemStock } from './item-stock';

/** A box in the catalog-file format, with its pictures by the path the file names them with. */
export interface ExportedBox {
  box: CatalogBoxFile;
  pictures: Map<string, string | Buffer>;
}

/** Whether a stored silhouette is the generic shape (beside a photograph, as rendered to its format: the same bytes each time). */
async function isGenericSilhouette(file: StoredFile): Promise<boolean> {
  if (typeof file.body === 'string') return file.body === GENERIC_SILHOUETTE;
  if (file.ext === 'svg') return false;
  const rendered = await silhouetteFor({ id: '', ext: file.ext === 'png' ? 'png' : 'jpg', variants: [] }, { kind: 'svg', svg: GENERIC_SILHOUETTE });
  return Buffer.isBuffer(rendered.body) && rendered.body.equals(file.body);
}

/**
 * The box as a catalog file (`admin box export`): what `admin box import` reads back to the same box. Pictures
 * are named `<slug>/cover.<ext>`, `<slug>/<item>.<ext>` and `<slug>/<item>-silhouette.<ext>` beside the file (a
 * photograph as its stored detail size);
 * `stock` is what each item has left (an import only uses it for items a box does not have yet); a whole-set
 * box's `firstSets` is how many of its sets are still for sale (an import only makes sets for a box with none).
 */
export async function exportBox(db: Connection, slug: string): Promise<ExportedBox> {
  const doc = await boxModel(db).findOne({ slug }).lean<BoxDoc>();
  if (!doc) throw new NotFound(`box ${slug}`);
  const pictures = new Map<string, string | Buffer>();
  const cover = await storedPicture(db, doc.coverUrl);
  if (!cover) throw new NotFound(`picture ${doc.coverUrl} of box ${slug} in the image store`);
  const coverFile = `${slug}/cover.${cover.picture.ext}`;
  pictures.set(coverFile, cover.picture.body);
  const designs: CatalogDesignFile[] = [];
  for (const product of doc.products) {
    const stored = await storedPicture(db, product.imageUrl);
    if (!stored) throw new NotFound(`picture ${product.imageUrl} of ${slug}/${product.productId} in the image store`);
    const picture = `${slug}/${product.productId}.${stored.picture.ext}`;
    pictures.set(picture, stored.picture.body);
    // The generic shape is what an import stores when a file names no silhouette: exported as none, it reads back the same.
    const generic = stored.silhouette === null || (await isGenericSilhouette(stored.silhouette));
    const silhouette = stored.silhouette && !generic ? `${slug}/${product.productId}-silhouette.${stored.silhouette.ext}` : undefined;
    if (silhouette && stored.silhouette) pictures.set(silhouette, stored.silhouette.body);
    const valueFen = product.valueFen ?? null;
    designs.push({ id: product.productId, name: product.name, rarity: product.rarity, picture, ...(silhouette ? { silhouette } : {}), ...(valueFen === null ? {} : { valueFen }) });
  }
  const common = {
    slug: doc.slug,
    name: doc.name,
    description: doc.description,
    priceFen: doc.priceFen,
    cover: coverFile,
    ...(doc.paymentWindowMinutes === null ? {} : { paymentWindowMinutes: doc.paymentWindowMinutes }),
    ...(doc.purchaseLimit === null ? {} : { purchaseLimit: doc.purchaseLimit }),
    sortOrder: doc.sortOrder,
  };
  if (isSetBox(doc)) {
    const secretEvery = doc.setRules?.secretEvery ?? null;
    const firstSets = await setService(db).forSaleCount(doc._id);
    return { box: { ...common, saleMode: 'SETS', ...(secretEvery === null ? {} : { secretEvery }), firstSets, items: designs }, pictures };
  }
  const counts = await itemStock(db).counts(doc._id);
  const weightOf = new Map(doc.products.map((product) => [product.productId, product.weight]));
  return {
    box: {
      ...common,
      ...(doc.guarantee ? { guarantee: { minRarity: doc.guarantee.minRarity, within: doc.guarantee.within } } : {}),
      items: designs.map((design) => ({ ...design, weight: weightOf.get(design.id) ?? 1, stock: counts?.[design.id] ?? 0 })),
    },
    pictures,
  };
}
