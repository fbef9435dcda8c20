/**
 * Redraws the demo catalog's pictures (`server/catalog/<slug>/*.svg`, committed: the catalog files name them)
 * from the parameters below with server/src/catalog/images.art.ts. The rarity in each frame comes from the
 * box's file, so a rarity changed there is drawn right: `npx tsx server/dev/draw-demo-pictures.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { catalogBoxFileSchema } from '@blindbox/shared';
import { coverSvg, figureSvg, silhouetteSvg, type FigureArt, type SeriesArt } from '../src/catalog/images.art';

const CATALOG_DIR = path.join(__dirname, '..', 'catalog');

const ART: Record<string, { series: SeriesArt; items: Record<string, FigureArt> }> = {
  'starry-cat': {
    series: { motif: 'cat', sky: ['#1d2b64', '#5b4ba8'], cover: { hero: { body: '#f5a04a', accent: '#ffe0b8', mark: 'stripes' }, pattern: 'stars', band: '#2a2f7a' } },
    items: {
      'starry-cat-orange': { body: '#f5a04a', accent: '#ffe0b8', mark: 'stripes' },
      'starry-cat-white': { body: '#f4f4f8', accent: '#ffc9d6', mark: 'none' },
      'starry-cat-black': { body: '#3a3550', accent: '#ffd666', mark: 'star' },
      'starry-cat-calico': { body: '#fff4e6', accent: '#e8833a', mark: 'spots' },
      'starry-cat-ragdoll': { body: '#e9e2f5', accent: '#8f7bd6', mark: 'heart' },
      'starry-cat-god': { body: '#ffe58f', accent: '#7b35e8', mark: 'star' },
    },
  },
  'mecha-boy': {
    series: { motif: 'mecha', sky: ['#0f3443', '#34a2a8'], cover: { hero: { body: '#e84a3c', accent: '#ffb347', mark: 'stripes' }, pattern: 'circuits', band: '#15303a' } },
    items: {
      'mecha-boy-flame': { body: '#e84a3c', accent: '#ffb347', mark: 'stripes' },
      'mecha-boy-frost': { body: '#7fc8f8', accent: '#e8f6ff', mark: 'none' },
      'mecha-boy-thunder': { body: '#f7d038', accent: '#4a4e69', mark: 'star' },
      'mecha-boy-shadow': { body: '#3d3b5c', accent: '#a77dff', mark: 'spots' },
      'mecha-boy-golden': { body: '#f0b90b', accent: '#fff1b8', mark: 'star' },
    },
  },
  'dessert-elf': {
    series: { motif: 'dessert', sky: ['#ffd3e1', '#ff9a9e'], cover: { hero: { body: '#ff8fab', accent: '#fff0f3', mark: 'spots' }, pattern: 'dots', band: '#e0507a' } },
    items: {
      'dessert-elf-strawberry': { body: '#ff8fab', accent: '#fff0f3', mark: 'spots' },
      'dessert-elf-matcha': { body: '#a7c957', accent: '#f2e8cf', mark: 'none' },
      'dessert-elf-macaron': { body: '#bde0fe', accent: '#ffc8dd', mark: 'heart' },
      'dessert-elf-pudding': { body: '#ffd166', accent: '#a0522d', mark: 'none' },
      'dessert-elf-tiramisu': { body: '#c8a27a', accent: '#6b4226', mark: 'stripes' },
      'dessert-elf-cheese': { body: '#ffe066', accent: '#f4a259', mark: 'spots' },
      'dessert-elf-rainbow': { body: '#cdb4db', accent: '#ffafcc', mark: 'heart' },
      'dessert-elf-icecream': { body: '#a0c4ff', accent: '#ffd6a5', mark: 'star' },
    },
  },
  'forest-friends': {
    series: { motif: 'forest', sky: ['#134e2a', '#6fbf73'], cover: { hero: { body: '#f08a24', accent: '#fff5e6', mark: 'none' }, pattern: 'leaves', band: '#6b4a2b' } },
    items: {
      'forest-friends-deer': { body: '#c68b59', accent: '#f6e0c8', mark: 'spots' },
      'forest-friends-fox': { body: '#f08a24', accent: '#fff5e6', mark: 'none' },
      'forest-friends-owl': { body: '#8d6e63', accent: '#efe6dd', mark: 'stripes' },
      'forest-friends-unicorn': { body: '#fdf7ff', accent: '#c77dff', mark: 'star' },
    },
  },
  'moon-rabbit-set': {
    series: { motif: 'rabbit', sky: ['#2b1d4e', '#c0a7e8'], cover: { hero: { body: '#f4f4f8', accent: '#ffc9d6', mark: 'none' }, pattern: 'moon', band: '#6a2fc9' } },
    items: {
      'moon-rabbit-jade': { body: '#f4f4f8', accent: '#ffc9d6', mark: 'none' },
      'moon-rabbit-osmanthus': { body: '#ffe0a3', accent: '#f5a04a', mark: 'spots' },
      'moon-rabbit-lantern': { body: '#ff8f7a', accent: '#ffe58f', mark: 'stripes' },
      'moon-rabbit-mooncake': { body: '#d9a066', accent: '#7a4a22', mark: 'heart' },
      'moon-rabbit-cloud': { body: '#bde0fe', accent: '#ffffff', mark: 'spots' },
      'moon-rabbit-star': { body: '#8f7bd6', accent: '#ffd666', mark: 'star' },
      'moon-rabbit-change': { body: '#ffe58f', accent: '#7b35e8', mark: 'star' },
    },
  },
};

for (const [slug, art] of Object.entries(ART)) {
  const file = path.join(CATALOG_DIR, `${slug}.yaml`);
  const box = catalogBoxFileSchema.parse(parse(readFileSync(file, 'utf8')));
  const near = (relative: string) => path.resolve(CATALOG_DIR, relative);
  writeFileSync(near(box.cover), coverSvg(art.series));
  for (const item of box.items) {
    const figure = art.items[item.id];
    if (!figure) throw new Error(`no art for ${slug}/${item.id}`);
    writeFileSync(near(item.picture), figureSvg(art.series, figure, item.rarity));
    if (item.silhouette) writeFileSync(near(item.silhouette), silhouetteSvg(art.series));
  }
  console.log(`drew ${box.items.length} pictures of ${slug}`);
}
