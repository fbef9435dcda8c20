import type { Connection } from 'mongoose';
import type { Rarity } from '@blindbox/shared';
import { boxModel } from '../catalog/box.model';
import { coverSvg, figureSvg, silhouetteSvg, type FigureArt, type SeriesArt } from '../catalog/images.art';
import { imageBatch } from '../catalog/images';
import { boxSetModel } from './set.model';
import { setService } from './set.service';

/** The demo's whole-set box (端盒): six regular designs per set, and in 1 set of every 6 the secret replaces one. */
const DEMO_SET_BOX = {
  slug: 'moon-rabbit-set',
  name: '月兔端盒',
  description: '一盒六只月兔，每盒六款各一只；每六盒中有一盒藏着隐藏款嫦娥兔。挑位置，或者整盒带走。',
  priceFen: 4500,
  art: { motif: 'cat', sky: ['#2b1d4e', '#c0a7e8'] } satisfies SeriesArt,
  secretEvery: 6,
  // Enough that one shopper may take a whole set.
  purchaseLimit: 6,
  sets: 3,
  products: [
    { productId: 'moon-rabbit-jade', name: '玉兔', rarity: 'COMMON', art: { body: '#f4f4f8', accent: '#ffc9d6', mark: 'none' } },
    { productId: 'moon-rabbit-osmanthus', name: '桂花兔', rarity: 'COMMON', art: { body: '#ffe0a3', accent: '#f5a04a', mark: 'spots' } },
    { productId: 'moon-rabbit-lantern', name: '灯笼兔', rarity: 'COMMON', art: { body: '#ff8f7a', accent: '#ffe58f', mark: 'stripes' } },
    { productId: 'moon-rabbit-mooncake', name: '月饼兔', rarity: 'RARE', art: { body: '#d9a066', accent: '#7a4a22', mark: 'heart' } },
    { productId: 'moon-rabbit-cloud', name: '祥云兔', rarity: 'RARE', art: { body: '#bde0fe', accent: '#ffffff', mark: 'spots' } },
    { productId: 'moon-rabbit-star', name: '星河兔', rarity: 'EPIC', art: { body: '#8f7bd6', accent: '#ffd666', mark: 'star' } },
    { productId: 'moon-rabbit-change', name: '嫦娥兔', rarity: 'SECRET', art: { body: '#ffe58f', accent: '#7b35e8', mark: 'star' } },
  ] satisfies Array<{ productId: string; name: string; rarity: Rarity; art: FigureArt }>,
};

/**
 * Loads the demo whole-set box and, the first time, its first sets (later ones come from `admin sets create`).
 * Safe on every start, like the rest of the seed: descriptive fields follow the demo data, sets are never remade.
 */
export async function seedDemoSetBox(db: Connection, sortOrder: number): Promise<{ slug: string; name: string; stock: number; created: boolean }> {
  const images = imageBatch();
  const { art } = DEMO_SET_BOX;
  const products = DEMO_SET_BOX.products.map(({ art: figure, ...product }) => ({
    ...product,
    // Every design is once per set: the weights only say so for the published line-up.
    weight: 1,
    imageUrl: images.figure(figureSvg(art, figure, product.rarity), silhouetteSvg(art)),
  }));
  const coverUrl = images.svg(coverSvg(art));
  await images.save(db);
  const Box = boxModel(db);
  const result = await Box.updateOne(
    { slug: DEMO_SET_BOX.slug },
    {
      $set: {
        name: DEMO_SET_BOX.name,
        description: DEMO_SET_BOX.description,
        coverUrl,
        priceFen: DEMO_SET_BOX.priceFen,
        products,
        guarantee: null,
        saleMode: 'SETS',
        setRules: { secretEvery: DEMO_SET_BOX.secretEvery },
        purchaseLimit: DEMO_SET_BOX.purchaseLimit,
        sortOrder,
        active: true,
      },
    },
    { upsert: true, runValidators: true },
  );
  const box = await Box.findOne({ slug: DEMO_SET_BOX.slug }).select({ _id: 1 }).lean();
  if (!box) throw new Error('demo set box not stored');
  const sets = setService(db);
  if (!(await boxSetModel(db).exists({ boxId: box._id }))) await sets.create(box._id, DEMO_SET_BOX.sets);
  const stock = (await sets.freeByBox([box._id])).get(box._id.toHexString()) ?? 0;
  return { slug: DEMO_SET_BOX.slug, name: DEMO_SET_BOX.name, stock, created: result.upsertedCount === 1 };
}
