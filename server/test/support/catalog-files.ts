import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CatalogBoxFile, CatalogSetBoxFile, CatalogWeightedBoxFile, Rarity } from '@blindbox/shared';
import { catalogFileText } from '../../src/catalog/catalog-files';

const svg = (label: string) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>${label}</title></svg>`;

/** Every item's 商品价值 unless a test names one: the box's price, so a test box passes the price checks. */
const DEFAULT_VALUE_FEN = 1990;

/**
 * A box file with `items` (id → rarity, weight, stock, value: ¥19.90 unless given; null: none), pictures named
 * `<slug>/<id>.svg` beside it.
 */
export function boxFile(
  slug: string,
  items: Record<string, { rarity: Rarity; weight: number; stock: number; valueFen?: number | null }>,
  extra: Partial<CatalogWeightedBoxFile> = {},
): CatalogWeightedBoxFile {
  return {
    slug,
    name: `盒子 ${slug}`,
    description: `the ${slug} series`,
    priceFen: 1990,
    cover: `${slug}/cover.svg`,
    sortOrder: 50,
    items: Object.entries(items).map(([id, item]) => ({
      id,
      name: `item ${id}`,
      rarity: item.rarity,
      ...valueOf(item.valueFen),
      weight: item.weight,
      picture: `${slug}/${id}.svg`,
      stock: item.stock,
    })),
    ...extra,
  };
}

const valueOf = (valueFen: number | null | undefined) => (valueFen === null ? {} : { valueFen: valueFen ?? DEFAULT_VALUE_FEN });

/** A whole-set box file with `designs` (id → rarity), pictures named `<slug>/<id>.svg` beside it. */
export function setBoxFile(slug: string, designs: Record<string, Rarity>, extra: Partial<CatalogSetBoxFile> = {}): CatalogSetBoxFile {
  return {
    slug,
    name: `端盒 ${slug}`,
    description: `the ${slug} whole-set series`,
    priceFen: 2990,
    cover: `${slug}/cover.svg`,
    saleMode: 'SETS',
    firstSets: 2,
    sortOrder: 60,
    items: Object.entries(designs).map(([id, rarity]) => ({ id, name: `design ${id}`, rarity, valueFen: 2990, picture: `${slug}/${id}.svg` })),
    ...extra,
  };
}

/** A fresh directory holding the boxes' files (YAML unless `format` says JSON) and every picture they name. */
export async function catalogDir(boxes: readonly CatalogBoxFile[], format: 'yaml' | 'json' = 'yaml'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalog-'));
  for (const box of boxes) {
    await mkdir(path.join(dir, box.slug), { recursive: true });
    await writeFile(path.join(dir, box.cover), svg(`${box.slug} cover`));
    for (const item of box.items) {
      await writeFile(path.join(dir, item.picture), svg(`${box.slug} ${item.id}`));
      if (item.silhouette) await writeFile(path.join(dir, item.silhouette), svg(`${box.slug} ${item.id} silhouette`));
    }
    await writeFile(path.join(dir, `${box.slug}.${format}`), catalogFileText(box, format));
  }
  return dir;
}
