import type { Connection } from 'mongoose';
import type { CatalogBoxFile, CatalogDesignFile } from '@blindbox/shared';
import { NotFound } from '../domain-error';
import { isSetBox, setService } from '../sets/set.service';
import { boxModel, type BoxDoc } from './box.model';
import { GENERIC_SILHOUETTE } from './catalog-import';
import { storedPicture } from './images';
import { itemStock } from './item-stock';

/** A box in the catalog-file format, with its pictures by the path the file names them with. */
export interface ExportedBox {
  box: CatalogBoxFile;
  pictures: Map<string, string>;
}

/**
 * The box as a catalog file (`admin box export`): what `admin box import` reads back to the same box. Pictures
 * are named `<slug>/cover.svg`, `<slug>/<item>.svg` and `<slug>/<item>-silhouette.svg` beside the file;
 * `stock` is what each item has left (an import only uses it for items a box does not have yet); a whole-set
 * box's `firstSets` is how many of its sets are still for sale (an import only makes sets for a box with none).
 */
export async function exportBox(db: Connection, slug: string): Promise<ExportedBox> {
  const doc = await boxModel(db).findOne({ slug }).lean<BoxDoc>();
  if (!doc) throw new NotFound(`box ${slug}`);
  const pictures = new Map<string, string>();
  const cover = await storedPicture(db, doc.coverUrl);
  if (!cover) throw new NotFound(`picture ${doc.coverUrl} of box ${slug} in the image store`);
  pictures.set(`${slug}/cover.svg`, cover.picture);
  const designs: CatalogDesignFile[] = [];
  for (const product of doc.products) {
    const stored = await storedPicture(db, product.imageUrl);
    if (!stored) throw new NotFound(`picture ${product.imageUrl} of ${slug}/${product.productId} in the image store`);
    const picture = `${slug}/${product.productId}.svg`;
    pictures.set(picture, stored.picture);
    const silhouette = stored.silhouette && stored.silhouette !== GENERIC_SILHOUETTE ? `${slug}/${product.productId}-silhouette.svg` : undefined;
    if (silhouette && stored.silhouette) pictures.set(silhouette, stored.silhouette);
    const valueFen = product.valueFen ?? null;
    designs.push({ id: product.productId, name: product.name, rarity: product.rarity, picture, ...(silhouette ? { silhouette } : {}), ...(valueFen === null ? {} : { valueFen }) });
  }
  const common = {
    slug: doc.slug,
    name: doc.name,
    description: doc.description,
    priceFen: doc.priceFen,
    cover: `${slug}/cover.svg`,
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
