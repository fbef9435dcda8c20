import type { Connection } from 'mongoose';
import type { GuaranteeRule, Rarity } from '@blindbox/shared';
import { boxModel } from './box.model';
import { stockLedger } from './stock';

interface DemoProduct {
  productId: string;
  name: string;
  rarity: Rarity;
  weight: number;
}

interface DemoBox {
  slug: string;
  name: string;
  description: string;
  priceFen: number;
  initialStock: number;
  products: DemoProduct[];
  guarantee: GuaranteeRule | null;
}

const placeholderImage = (text: string) => `https://placehold.co/300x300?text=${encodeURIComponent(text)}`;

const DEMO_BOXES: readonly DemoBox[] = [
  {
    slug: 'starry-cat',
    name: '星空猫咪',
    description: '六只在银河里打盹的猫咪，隐藏款宇宙猫神等你来抽。',
    priceFen: 5900,
    initialStock: 300,
    guarantee: { minRarity: 'SECRET', within: 72 },
    products: [
      { productId: 'starry-cat-orange', name: '银河橘猫', rarity: 'COMMON', weight: 30 },
      { productId: 'starry-cat-white', name: '月光白猫', rarity: 'COMMON', weight: 30 },
      { productId: 'starry-cat-black', name: '流星黑猫', rarity: 'RARE', weight: 15 },
      { productId: 'starry-cat-calico', name: '极光三花', rarity: 'RARE', weight: 10 },
      { productId: 'starry-cat-ragdoll', name: '星云布偶', rarity: 'EPIC', weight: 10 },
      { productId: 'starry-cat-god', name: '宇宙猫神', rarity: 'SECRET', weight: 5 },
    ],
  },
  {
    slug: 'mecha-boy',
    name: '机甲少年',
    description: '五台少年机甲，集齐召唤黄金机甲王。',
    priceFen: 6900,
    initialStock: 200,
    guarantee: null,
    products: [
      { productId: 'mecha-boy-flame', name: '烈焰机甲', rarity: 'COMMON', weight: 35 },
      { productId: 'mecha-boy-frost', name: '寒冰机甲', rarity: 'COMMON', weight: 25 },
      { productId: 'mecha-boy-thunder', name: '雷霆机甲', rarity: 'RARE', weight: 25 },
      { productId: 'mecha-boy-shadow', name: '暗影机甲', rarity: 'EPIC', weight: 10 },
      { productId: 'mecha-boy-golden', name: '黄金机甲王', rarity: 'SECRET', weight: 5 },
    ],
  },
  {
    slug: 'dessert-elf',
    name: '甜品精灵',
    description: '八位住在甜品店里的小精灵。',
    priceFen: 3900,
    initialStock: 500,
    guarantee: null,
    products: [
      { productId: 'dessert-elf-strawberry', name: '草莓精灵', rarity: 'COMMON', weight: 15 },
      { productId: 'dessert-elf-matcha', name: '抹茶精灵', rarity: 'COMMON', weight: 15 },
      { productId: 'dessert-elf-macaron', name: '马卡龙精灵', rarity: 'COMMON', weight: 15 },
      { productId: 'dessert-elf-pudding', name: '布丁精灵', rarity: 'COMMON', weight: 15 },
      { productId: 'dessert-elf-tiramisu', name: '提拉米苏精灵', rarity: 'RARE', weight: 13 },
      { productId: 'dessert-elf-cheese', name: '芝士精灵', rarity: 'RARE', weight: 12 },
      { productId: 'dessert-elf-rainbow', name: '彩虹蛋糕精灵', rarity: 'EPIC', weight: 10 },
      { productId: 'dessert-elf-icecream', name: '星空冰淇淋精灵', rarity: 'SECRET', weight: 5 },
    ],
  },
  {
    slug: 'forest-friends',
    name: '森林伙伴',
    description: '四位森林里的好朋友，独角兽只在月圆之夜出现。',
    priceFen: 4900,
    initialStock: 100,
    guarantee: { minRarity: 'EPIC', within: 10 },
    products: [
      { productId: 'forest-friends-deer', name: '小鹿', rarity: 'COMMON', weight: 60 },
      { productId: 'forest-friends-fox', name: '狐狸', rarity: 'RARE', weight: 25 },
      { productId: 'forest-friends-owl', name: '猫头鹰', rarity: 'EPIC', weight: 10 },
      { productId: 'forest-friends-unicorn', name: '独角兽', rarity: 'SECRET', weight: 5 },
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
  let created = 0;
  for (const [sortOrder, box] of DEMO_BOXES.entries()) {
    const result = await Box.updateOne(
      { slug: box.slug },
      {
        $set: {
          name: box.name,
          description: box.description,
          coverUrl: placeholderImage(box.name),
          priceFen: box.priceFen,
          products: box.products.map((product) => ({ ...product, imageUrl: placeholderImage(product.name) })),
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
  const boxes = await Box.find({ slug: { $in: DEMO_BOXES.map((box) => box.slug) } })
    .sort({ sortOrder: 1 })
    .lean();
  return {
    created,
    updated: DEMO_BOXES.length - created,
    boxes: await Promise.all(
      boxes.map(async (box) => ({ slug: box.slug, name: box.name, stock: (await stock.available([box._id])).get(box._id.toHexString()) ?? 0 })),
    ),
  };
}
