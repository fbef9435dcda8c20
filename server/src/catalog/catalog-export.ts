import type { Connection } from 'mongoose';
import type { CatalogBoxFile } from '@blindbox/shared';
import { NotFound } from '../domain-error';
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
 * `stock` is what each item has left (an import only uses it for items a box does not have yet).
 */
export async function exportBox(db: Connection, slug: string): Promise<ExportedBox> {
  const doc = await boxModel(db).findOne({ slug }).lean<BoxDoc>();
  if (!doc) throw new NotFound(`box ${slug}`);
  const counts = await itemStock(db).counts(doc._id);
  const pictures = new Map<string, string>();
  const cover = await storedPicture(db, doc.coverUrl);
  if (!cover) throw new NotFound(`picture ${doc.coverUrl} of box ${slug} in the image store`);
  pictures.set(`${slug}/cover.svg`, cover.picture);
  const items: CatalogBoxFile['items'] = [];
  for (const product of doc.products) {
    const stored = await storedPicture(db, product.imageUrl);
    if (!stored) throw new NotFound(`picture ${product.imageUrl} of ${slug}/${product.productId} in the image store`);
    const picture = `${slug}/${product.productId}.svg`;
    pictures.set(picture, stored.picture);
    const silhouette = stored.silhouette && stored.silhouette !== GENERIC_SILHOUETTE ? `${slug}/${product.productId}-silhouette.svg` : undefined;
    if (silhouette && stored.silhouette) pictures.set(silhouette, stored.silhouette);
    items.push({
      id: product.productId,
      name: product.name,
      rarity: product.rarity,
      weight: product.weight,
      picture,
      ...(silhouette ? { silhouette } : {}),
      stock: counts?.[product.productId] ?? 0,
    });
  }
  return {
    box: {
      slug: doc.slug,
      name: doc.name,
      description: doc.description,
      priceFen: doc.priceFen,
      cover: `${slug}/cover.svg`,
      ...(doc.paymentWindowMinutes === null ? {} : { paymentWindowMinutes: doc.paymentWindowMinutes }),
      ...(doc.purchaseLimit === null ? {} : { purchaseLimit: doc.purchaseLimit }),
      ...(doc.guarantee ? { guarantee: { minRarity: doc.guarantee.minRarity, within: doc.guarantee.within } } : {}),
      sortOrder: doc.sortOrder,
      items,
    },
    pictures,
  };
}
