import type { Connection } from 'mongoose';
import type { GuaranteeRule, Rarity } from '@blindbox/shared';
import { boxModel } from './box.model';
import { stockLedger } from './stock';
import { coverSvg, figureSvg, silhouetteSvg, type FigureArt, type SeriesArt } from './images.art';
import { imageBatch } from './images';
import { seedDemoSetBox } from '../sets/demo-set-box';
import { seedWelcomeCoupon } from '../coupons/seed-coupons';

interface DemoProduct {
  productId: string;
  name: string;
  rarity: Rarity;
  weight: number;
  art: FigureArt;
}

interface DemoBox {
  slug: string;
  name: string;
  description: string;
  priceFen: number;
  initialStock: number;
  art: SeriesArt;
  products: DemoProduct[];
  guarantee: GuaranteeRule | null;
}

const DEMO_BOXES: readonly DemoBox[] = [
  {
    slug: 'starry-cat',
    name: '星空猫咪',
    description: '六只在银河里打盹的猫咪，隐藏款宇宙猫神等你来抽。',
    priceFen: 5900,
    initialStock: 300,
    art: { motif: 'cat', sky: ['#1d2b64', '#5b4ba8'] },
    guarantee: { minRarity: 'SECRET', within: 72 },
    products: [
      { productId: 'starry-cat-orange', name: '银河橘猫', rarity: 'COMMON', weight: 30, art: { body: '#f5a04a', accent: '#ffe0b8', mark: 'stripes' } },
      { productId: 'starry-cat-white', name: '月光白猫', rarity: 'COMMON', weight: 30, art: { body: '#f4f4f8', accent: '#ffc9d6', mark: 'none' } },
      { productId: 'starry-cat-black', name: '流星黑猫', rarity: 'RARE', weight: 15, art: { body: '#3a3550', accent: '#ffd666', mark: 'star' } },
      { productId: 'starry-cat-calico', name: '极光三花', rarity: 'RARE', weight: 10, art: { body: '#fff4e6', accent: '#e8833a', mark: 'spots' } },
      { productId: 'starry-cat-ragdoll', name: '星云布偶', rarity: 'EPIC', weight: 10, art: { body: '#e9e2f5', accent: '#8f7bd6', mark: 'heart' } },
      { productId: 'starry-cat-god', name: '宇宙猫神', rarity: 'SECRET', weight: 5, art: { body: '#ffe58f', accent: '#7b35e8', mark: 'star' } },
    ],
  },
  {
    slug: 'mecha-boy',
    name: '机甲少年',
    description: '五台少年机甲，集齐召唤黄金机甲王。',
    priceFen: 6900,
    initialStock: 200,
    art: { motif: 'mecha', sky: ['#0f3443', '#34a2a8'] },
    guarantee: null,
    products: [
      { productId: 'mecha-boy-flame', name: '烈焰机甲', rarity: 'COMMON', weight: 35, art: { body: '#e84a3c', accent: '#ffb347', mark: 'stripes' } },
      { productId: 'mecha-boy-frost', name: '寒冰机甲', rarity: 'COMMON', weight: 25, art: { body: '#7fc8f8', accent: '#e8f6ff', mark: 'none' } },
      { productId: 'mecha-boy-thunder', name: '雷霆机甲', rarity: 'RARE', weight: 25, art: { body: '#f7d038', accent: '#4a4e69', mark: 'star' } },
      { productId: 'mecha-boy-shadow', name: '暗影机甲', rarity: 'EPIC', weight: 10, art: { body: '#3d3b5c', accent: '#a77dff', mark: 'spots' } },
      { productId: 'mecha-boy-golden', name: '黄金机甲王', rarity: 'SECRET', weight: 5, art: { body: '#f0b90b', accent: '#fff1b8', mark: 'star' } },
    ],
  },
  {
    slug: 'dessert-elf',
    name: '甜品精灵',
    description: '八位住在甜品店里的小精灵。',
    priceFen: 3900,
    initialStock: 500,
    art: { motif: 'dessert', sky: ['#ffd3e1', '#ff9a9e'] },
    guarantee: null,
    products: [
      { productId: 'dessert-elf-strawberry', name: '草莓精灵', rarity: 'COMMON', weight: 15, art: { body: '#ff8fab', accent: '#fff0f3', mark: 'spots' } },
      { productId: 'dessert-elf-matcha', name: '抹茶精灵', rarity: 'COMMON', weight: 15, art: { body: '#a7c957', accent: '#f2e8cf', mark: 'none' } },
      { productId: 'dessert-elf-macaron', name: '马卡龙精灵', rarity: 'COMMON', weight: 15, art: { body: '#bde0fe', accent: '#ffc8dd', mark: 'heart' } },
      { productId: 'dessert-elf-pudding', name: '布丁精灵', rarity: 'COMMON', weight: 15, art: { body: '#ffd166', accent: '#a0522d', mark: 'none' } },
      { productId: 'dessert-elf-tiramisu', name: '提拉米苏精灵', rarity: 'RARE', weight: 13, art: { body: '#c8a27a', accent: '#6b4226', mark: 'stripes' } },
      { productId: 'dessert-elf-cheese', name: '芝士精灵', rarity: 'RARE', weight: 12, art: { body: '#ffe066', accent: '#f4a259', mark: 'spots' } },
      { productId: 'dessert-elf-rainbow', name: '彩虹蛋糕精灵', rarity: 'EPIC', weight: 10, art: { body: '#cdb4db', accent: '#ffafcc', mark: 'heart' } },
      { productId: 'dessert-elf-icecream', name: '星空冰淇淋精灵', rarity: 'SECRET', weight: 5, art: { body: '#a0c4ff', accent: '#ffd6a5', mark: 'star' } },
    ],
  },
  {
    slug: 'forest-friends',
    name: '森林伙伴',
    description: '四位森林里的好朋友，独角兽只在月圆之夜出现。',
    priceFen: 4900,
    initialStock: 100,
    art: { motif: 'forest', sky: ['#134e2a', '#6fbf73'] },
    guarantee: { minRarity: 'EPIC', within: 10 },
    products: [
      { productId: 'forest-friends-deer', name: '小鹿', rarity: 'COMMON', weight: 60, art: { body: '#c68b59', accent: '#f6e0c8', mark: 'spots' } },
      { productId: 'forest-friends-fox', name: '狐狸', rarity: 'RARE', weight: 25, art: { body: '#f08a24', accent: '#fff5e6', mark: 'none' } },
      { productId: 'forest-friends-owl', name: '猫头鹰', rarity: 'EPIC', weight: 10, art: { body: '#8d6e63', accent: '#efe6dd', mark: 'stripes' } },
      { productId: 'forest-friends-unicorn', name: '独角兽', rarity: 'SECRET', weight: 5, art: { body: '#fdf7ff', accent: '#c77dff', mark: 'star' } },
    ],
  },
];

export interface SeedSummary {
  created: number;
  updated: number;
  boxes: { slug: string; name: string; stock: number }[];
}

/**
 * Loads the demo catalog; safe to run on every start. Boxes are matched by slug: descriptive fields
 * follow the demo data, but stock is only set when a box first gets its counter, so re-seeding never
 * undoes sales or hands back units held by unpaid orders.
 */
export async function seedCatalog(db: Connection): Promise<SeedSummary> {
  const Box = boxModel(db);
  const stock = stockLedger(db);
  const images = imageBatch();
  const catalog = DEMO_BOXES.map(({ art, products, ...box }) => ({
    ...box,
    coverUrl: images.svg(coverSvg(art)),
    products: products.map(({ art: figure, ...product }) => ({
      ...product,
      imageUrl: images.figure(figureSvg(art, figure, product.rarity), silhouetteSvg(art)),
    })),
  }));
  await seedWelcomeCoupon(db);
  // Pictures first: a box is never visible with an image URL that does not answer yet.
  await images.save(db);
  let created = 0;
  for (const [sortOrder, box] of catalog.entries()) {
    const result = await Box.updateOne(
      { slug: box.slug },
      {
        $set: {
          name: box.name,
          description: box.description,
          coverUrl: box.coverUrl,
          priceFen: box.priceFen,
          products: box.products,
          guarantee: box.guarantee,
          sortOrder,
          active: true,
        },
      },
      { upsert: true, runValidators: true },
    );
    created += result.upsertedCount;
    const stored = await Box.findOne({ slug: box.slug }).select({ _id: 1 }).lean();
    if (stored) await stock.stockIfNew(stored._id, box.initialStock);
  }
  const setBox = await seedDemoSetBox(db, DEMO_BOXES.length);
  created += setBox.created ? 1 : 0;
  const boxes = await Box.find({ slug: { $in: DEMO_BOXES.map((box) => box.slug) } })
    .sort({ sortOrder: 1 })
    .lean();
  return {
    created,
    updated: DEMO_BOXES.length + 1 - created,
    boxes: [
      ...(await Promise.all(
        boxes.map(async (box) => ({ slug: box.slug, name: box.name, stock: (await stock.available([box._id])).get(box._id.toHexString()) ?? 0 })),
      )),
      { slug: setBox.slug, name: setBox.name, stock: setBox.stock },
    ],
  };
}
