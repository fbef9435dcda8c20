import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Box } from '@blindbox/shared';
import { pictureVariantUrl } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { photograph } from '../../test/support/pictures';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from './box.model';
import { catalogFileText } from './catalog-files';
import { imageModel } from './images';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(() => server.stop());

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'catalog-test' });

/** A catalog directory whose pictures are photographs: a JPG cover, a PNG and a WebP item, a JPG silhouette. */
async function photographedDir(slug: string): Promise<string> {
  const box = boxFile(slug, { a: { rarity: 'COMMON', weight: 9, stock: 5 }, b: { rarity: 'RARE', weight: 1, stock: 5 } });
  box.cover = `${slug}/cover.jpg`;
  box.items[0]!.picture = `${slug}/a.png`;
  box.items[1]!.picture = `${slug}/b.webp`;
  box.items[1]!.silhouette = `${slug}/b-shadow.jpg`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'catalog-photo-'));
  await mkdir(path.join(dir, slug));
  await writeFile(path.join(dir, box.cover), await photograph('jpeg', { hue: 10 }));
  await writeFile(path.join(dir, box.items[0]!.picture), await photograph('png', { hue: 90 }));
  await writeFile(path.join(dir, box.items[1]!.picture), await photograph('webp', { hue: 250 }));
  await writeFile(path.join(dir, box.items[1]!.silhouette), await photograph('jpeg', { hue: 0, width: 300, height: 300 }));
  await writeFile(path.join(dir, `${slug}.yaml`), catalogFileText(box, 'yaml'));
  return dir;
}

describe('catalog files with photographs', () => {
  it('box import takes JPG, PNG and WebP pictures, serves their sizes, and export writes them back to the same box', async () => {
    const dir = await photographedDir('photo-series');
    const imported = await admin('box', 'import', dir);
    expect(imported.output).toContain('photo-series: created');
    const doc = (await boxModel(server.container.db).findOne({ slug: 'photo-series' }).lean())!;
    expect(doc.coverUrl).toMatch(/^\/images\/[0-9a-f]{24}\.jpg$/);
    expect(doc.products.map((product) => product.imageUrl.split('.').pop())).toEqual(['png', 'jpg']);
    const box = (await (await fetch(`${server.url}/api/boxes/${doc._id.toHexString()}`)).json()) as Box;
    for (const url of [box.coverUrl, pictureVariantUrl(box.coverUrl, 'list'), pictureVariantUrl(box.coverUrl, 'share')]) {
      expect((await fetch(`${server.url}${url}`)).status).toBe(200);
    }
    const silhouette = await fetch(`${server.url}${doc.products[1]!.imageUrl.replace('.jpg', '-silhouette.jpg')}`);
    expect([silhouette.status, silhouette.headers.get('content-type')]).toEqual([200, 'image/jpeg']);

    const out = await mkdtemp(path.join(os.tmpdir(), 'catalog-photo-out-'));
    await admin('box', 'export', 'photo-series', '--out', path.join(out, 'photo-series.yaml'));
    const text = await readFile(path.join(out, 'photo-series.yaml'), 'utf8');
    expect(text).toContain('cover: photo-series/cover.jpg');
    expect((await sharp(await readFile(path.join(out, 'photo-series/a.png'))).metadata()).format).toBe('png');
    const again = await admin('box', 'import', out);
    expect(again.output).toContain('photo-series: unchanged');
    await rm(dir, { recursive: true });
    await rm(out, { recursive: true });
  });

  it('refuses a file whose picture is an SVG with a script, located at its line, and writes nothing', async () => {
    const dir = await catalogDir([boxFile('script-series', { a: { rarity: 'COMMON', weight: 1, stock: 1 } })]);
    await writeFile(path.join(dir, 'script-series/a.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const images = await imageModel(server.container.db).countDocuments();
    const result = await admin('box', 'import', dir);
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/script-series\.yaml:\d+:\d+: items\[0\]\.picture: picture file .*a\.svg: SVG 图片含有脚本/);
    expect(await boxModel(server.container.db).countDocuments({ slug: 'script-series' })).toBe(0);
    expect(await imageModel(server.container.db).countDocuments()).toBe(images);
  });
});
