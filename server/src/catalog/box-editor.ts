import type { Connection } from 'mongoose';
import { catalogBoxFileSchema, type CatalogWeightedBoxFile, type ConsoleBoxEdit } from '@blindbox/shared';
import { checkPicture, type CheckedPicture } from '../media/picture-check';
import { PictureRefused } from '../media/picture-errors';
import { isSetBox } from '../sets/set.service';
import { boxModel, type BoxDoc } from './box.model';
import { ImportRefused } from './catalog-errors';
import type { CatalogBoxSource } from './catalog-files';
import { storedPicture } from './images';
import { itemStock } from './item-stock';

const fileNameOf = (url: string, name: string) => `${name}.${url.split('.').pop()}`;

/** A stored picture, checked again as the catalog file's pictures are (the import takes a CheckedPicture). */
async function pictureAt(db: Connection, url: string, silhouette = false): Promise<CheckedPicture | null> {
  const stored = await storedPicture(db, url);
  if (!stored) throw new PictureRefused(`图片 ${url} 不在图片库中，请重新上传`);
  const file = silhouette ? stored.silhouette : stored.picture;
  return file ? checkPicture(Buffer.from(file.body)) : null;
}

/**
 * The series editor's box as a catalog source: the same file schema checks it (so the editor and `box import`
 * refuse the same boxes, with the same messages) and the same importer plans it (catalog-import.ts).
 */
export async function editedBoxSource(db: Connection, edit: ConsoleBoxEdit): Promise<CatalogBoxSource> {
  const file: CatalogWeightedBoxFile = {
    slug: edit.slug,
    name: edit.name,
    description: edit.description,
    priceFen: edit.priceFen,
    cover: fileNameOf(edit.coverUrl, 'cover'),
    ...(edit.paymentWindowMinutes === null ? {} : { paymentWindowMinutes: edit.paymentWindowMinutes }),
    ...(edit.purchaseLimit === null ? {} : { purchaseLimit: edit.purchaseLimit }),
    ...(edit.guarantee === null ? {} : { guarantee: edit.guarantee }),
    sortOrder: edit.sortOrder,
    items: edit.items.map((item) => ({
      id: item.id,
      name: item.name,
      rarity: item.rarity,
      ...(item.valueFen === null ? {} : { valueFen: item.valueFen }),
      weight: item.weight,
      picture: fileNameOf(item.imageUrl, item.id),
      ...(item.silhouetteUrl ? { silhouette: fileNameOf(item.silhouetteUrl, `${item.id}-silhouette`) } : {}),
      stock: item.stock,
    })),
  };
  const box = catalogBoxFileSchema.parse(file);
  const existing = await boxModel(db).findOne({ slug: edit.slug }).select({ saleMode: 1 }).lean<Pick<BoxDoc, 'saleMode'>>();
  if (existing && isSetBox(existing as BoxDoc)) throw new ImportRefused(`box ${edit.slug} is sold as whole sets: edit it with a catalog file`);
  const cover = await pictureAt(db, edit.coverUrl);
  const pictures = new Map<string, { picture: CheckedPicture; silhouette: CheckedPicture | null }>();
  for (const item of edit.items) {
    const picture = (await pictureAt(db, item.imageUrl))!;
    // Without a new one, an item keeps the silhouette stored with its picture (a new item: the generic shape).
    const silhouette = item.silhouetteUrl ? await pictureAt(db, item.silhouetteUrl) : await pictureAt(db, item.imageUrl, true);
    pictures.set(item.id, { picture, silhouette });
  }
  return { file: `console:${edit.slug}`, box, cover: cover!, pictures };
}

/** A weighted box as the editor shows it; a whole-set box is edited with catalog files (null). */
export async function editableBox(db: Connection, box: BoxDoc): Promise<ConsoleBoxEdit | null> {
  if (isSetBox(box)) return null;
  const counts = (await itemStock(db).counts(box._id)) ?? {};
  return {
    slug: box.slug,
    name: box.name,
    description: box.description,
    priceFen: box.priceFen,
    coverUrl: box.coverUrl,
    paymentWindowMinutes: box.paymentWindowMinutes,
    purchaseLimit: box.purchaseLimit,
    guarantee: box.guarantee ? { minRarity: box.guarantee.minRarity, within: box.guarantee.within } : null,
    sortOrder: box.sortOrder,
    items: box.products.map((product) => ({
      id: product.productId,
      name: product.name,
      rarity: product.rarity,
      weight: product.weight,
      valueFen: product.valueFen ?? null,
      imageUrl: product.imageUrl,
      silhouetteUrl: null,
      stock: counts[product.productId] ?? 0,
    })),
  };
}
