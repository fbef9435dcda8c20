import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BoxPage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { figureSvg, silhouetteSvg } from './images.art';
import { imageModel, silhouetteUrlOf } from './images';
import { seedCatalog } from './seed';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function catalogImageUrls(): Promise<string[]> {
  const page = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
  return page.items.flatMap((box) => [box.coverUrl, ...box.products.map((product) => product.imageUrl)]);
}

describe('catalog pictures', () => {
  it('are served by the server itself, as SVG, with year-long immutable caching', async () => {
    const urls = await catalogImageUrls();
    expect(urls.length).toBeGreaterThanOrEqual(20);
    expect(new Set(urls).size).toBe(urls.length);
    for (const url of urls) {
      expect(url).toMatch(/^\/images\/[0-9a-f]{24}\.svg$/);
      const response = await fetch(`${server.url}${url}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await response.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
    }
  });

  it('answer a revalidation with 304 and no body, and an unknown or malformed name with 404', async () => {
    const [url] = await catalogImageUrls();
    const first = await fetch(`${server.url}${url}`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // As a browser revalidates; without a Cache-Control of its own, fetch() would add `no-cache`, which forbids a 304.
    const again = await fetch(`${server.url}${url}`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await fetch(`${server.url}/images/${'0'.repeat(24)}.svg`)).status).toBe(404);
    expect((await fetch(`${server.url}/images/..%2Fapi.svg`)).status).toBe(404);
  });

  it('each product picture has a stored silhouette', async () => {
    const page = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
    for (const product of page.items.flatMap((box) => box.products)) {
      const silhouette = silhouetteUrlOf(product.imageUrl);
      expect(silhouette).toMatch(/-silhouette\.svg$/);
      expect((await fetch(`${server.url}${silhouette}`)).status).toBe(200);
    }
    expect(silhouetteUrlOf('https://cdn.example.com/a.png')).toBeNull();
  });

  it('show rarity in the artwork: a different frame per rarity, and a star only on secret items', () => {
    const art = { body: '#f5a04a', accent: '#ffe0b8', mark: 'none' } as const;
    const series = { motif: 'cat', sky: ['#000000', '#111111'], cover: { hero: art, pattern: 'stars', band: '#222222' } } as const;
    const frames = (['COMMON', 'RARE', 'EPIC', 'SECRET'] as const).map((rarity) => figureSvg(series, art, rarity));
    expect(new Set(frames).size).toBe(4);
    expect(frames[3]).toContain('stroke="url(#gold)"');
    for (const svg of frames.slice(0, 3)) expect(svg).not.toContain('url(#gold)');
    expect(silhouetteSvg(series)).not.toContain(art.body);
  });

  it('give every series of the demo catalog a cover of its own: figure, pattern and colours', () => {
    const catalog = path.join(__dirname, '..', '..', 'catalog');
    const covers = readdirSync(catalog, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => readFileSync(path.join(catalog, entry.name, 'cover.svg'), 'utf8'));
    expect(covers.length).toBeGreaterThanOrEqual(5);
    // Not one template recoloured: no two covers share their figure's colours or their backdrop.
    const heroColours = covers.map((svg) => svg.match(/<g transform="translate\(30 4\) scale\(\.8\)"><[^>]*fill="(#[0-9a-f]{6})"/)?.[1]);
    expect(heroColours.every(Boolean)).toBe(true);
    expect(new Set(heroColours).size).toBe(covers.length);
    expect(new Set(covers.map((svg) => svg.slice(0, 400))).size).toBe(covers.length);
  });

  it('re-seeding stores nothing new and keeps every URL', async () => {
    const before = await catalogImageUrls();
    const count = await imageModel(server.container.db).countDocuments();
    await seedCatalog(server.container.db, server.container.fairness.seeds);
    expect(await catalogImageUrls()).toEqual(before);
    expect(await imageModel(server.container.db).countDocuments()).toBe(count);
  });
});
