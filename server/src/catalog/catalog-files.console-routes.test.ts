import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { CONSOLE_SESSION_COOKIE, PICTURE_MAX_BYTES, type ConsoleCatalogImport } from '@blindbox/shared';
import { adminAuditEntryModel } from '../admin/admin-audit';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { boxModel } from './box.model';
import { boxVersions } from './box-versions';

let server: TestServer;
let operator: ConsoleClient;
let viewer: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer();
  operator = await loginAs(server, await createStaff(server, 'files-operator', 'operator'));
  viewer = await loginAs(server, await createStaff(server, 'files-viewer', 'viewer'));
}, 60_000);
afterAll(() => server?.stop());

const DEMO_BOXES = ['dessert-elf', 'forest-friends', 'mecha-boy', 'moon-rabbit-set', 'starry-cat'];

/** The export as bytes (the console client reads answers as text). */
async function exported(client: ConsoleClient): Promise<{ status: number; type: string | null; files: Record<string, Uint8Array> }> {
  const response = await fetch(`${server.url}/api/console/catalog/export`, { headers: { cookie: `${CONSOLE_SESSION_COOKIE}=${client.cookie ?? ''}` } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-disposition'), files: response.status === 200 ? unzipSync(bytes) : {} };
}

const importZip = (client: ConsoleClient, files: Record<string, Uint8Array>, query = '') =>
  client.call<ConsoleCatalogImport & { code: string; message: string; confirm: string }>('POST', `/catalog/import${query}`, zipSync(files));

const boxDoc = (slug: string) => boxModel(server.container.db).findOne({ slug }).lean();
const auditCount = () => adminAuditEntryModel(server.container.db).countDocuments({ command: 'box import' });

/** The files with one weight changed in a box's YAML. */
function withWeight(files: Record<string, Uint8Array>, slug: string, from: string, to: string): Record<string, Uint8Array> {
  const text = strFromU8(files[`${slug}.yaml`]!);
  expect(text).toContain(from);
  return { ...files, [`${slug}.yaml`]: strToU8(text.replace(from, to)) };
}

describe('catalog files through the console', () => {
  it('exports every demo series as the files `box export` writes, in one zip', async () => {
    const { status, type, files } = await exported(viewer);
    expect(status).toBe(200);
    expect(type).toMatch(/^attachment; filename="catalog-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(Object.keys(files).filter((name) => name.endsWith('.yaml')).sort()).toEqual(DEMO_BOXES.map((slug) => `${slug}.yaml`));
    const starry = strFromU8(files['starry-cat.yaml']!);
    expect(starry).toMatch(/^slug: starry-cat$/m);
    // Every picture a file names is in the zip beside it.
    for (const [, picture] of starry.matchAll(/(?:picture|silhouette|cover): (\S+)/g)) expect(files[picture!]?.length).toBeGreaterThan(0);
  });

  it('importing the exported zip plans nothing to change and writes nothing', async () => {
    const { files } = await exported(operator);
    const plan = await importZip(operator, files);
    expect(plan.status).toBe(200);
    expect(plan.body.applied).toBe(false);
    expect(plan.body.boxes.map((box) => [box.slug, box.action]).sort()).toEqual(DEMO_BOXES.map((slug) => [slug, 'unchanged']));
    expect(plan.body.confirm).toBe('');
  });

  it('a changed weight of a box on sale is a new odds version: shown, refused unconfirmed, published once confirmed', async () => {
    const { files } = await exported(operator);
    const edited = withWeight(files, 'dessert-elf', 'weight: 15\n', 'weight: 25\n');
    const audits = await auditCount();

    const plan = await importZip(operator, edited);
    const dessert = plan.body.boxes.find((box) => box.slug === 'dessert-elf');
    expect(dessert).toMatchObject({ action: 'new-version', before: { version: 1, weights: { 'dessert-elf-strawberry': 15 } }, after: { version: 2, weights: { 'dessert-elf-strawberry': 25 } } });
    expect(plan.body.boxes.filter((box) => box.slug !== 'dessert-elf').every((box) => box.action === 'unchanged')).toBe(true);
    expect(plan.body.confirm).toBe('dessert-elf:2');

    const unconfirmed = await importZip(operator, edited, '?apply=true');
    expect([unconfirmed.status, unconfirmed.body.code, unconfirmed.body.confirm]).toEqual([409, 'VERSION_NOT_CONFIRMED', 'dessert-elf:2']);
    expect(unconfirmed.body.message).toContain('新的概率版本');
    const wrong = await importZip(operator, edited, '?apply=true&confirm=dessert-elf:3');
    expect(wrong.status).toBe(409);
    expect((await boxDoc('dessert-elf'))?.version).toBe(1);
    expect(await auditCount()).toBe(audits);

    const applied = await importZip(operator, edited, '?apply=true&confirm=dessert-elf:2');
    expect([applied.status, applied.body.applied]).toEqual([200, true]);
    const doc = (await boxDoc('dessert-elf'))!;
    expect(doc.version).toBe(2);
    const v2 = await boxVersions(server.container.db).byVersion(doc._id, 2);
    expect(v2?.products.find((product) => product.productId === 'dessert-elf-strawberry')?.weight).toBe(25);
    const entry = await adminAuditEntryModel(server.container.db).findOne({ command: 'box import', target: 'box:dessert-elf' }).lean();
    expect(entry?.actor).toBe('staff:files-operator');
    expect(await auditCount()).toBe(audits + 1);

    // The same zip again: nothing left to change.
    expect((await importZip(operator, edited)).body.boxes.every((box) => box.action === 'unchanged')).toBe(true);
  });

  it('refuses an entry that would write outside the folder, writing nothing', async () => {
    const { files } = await exported(operator);
    const name = `evil-${process.pid}-${Date.now()}`;
    const evil = withWeight({ ...files, [`../${name}`]: strToU8('owned') }, 'starry-cat', 'weight: ', 'weight: 1');
    const audits = await auditCount();
    const response = await importZip(operator, evil, '?apply=true');
    expect([response.status, response.body.code]).toEqual([400, 'CATALOG_ZIP_REFUSED']);
    expect(response.body.message).toContain(`../${name}`);
    expect(existsSync(path.join(os.tmpdir(), name))).toBe(false);
    expect((await boxDoc('starry-cat'))?.version).toBe(1);
    expect(await auditCount()).toBe(audits);

    const absolute = await importZip(operator, { ...files, [`/tmp/${name}`]: strToU8('owned') });
    expect([absolute.status, absolute.body.code]).toEqual([400, 'CATALOG_ZIP_REFUSED']);
    expect(existsSync(`/tmp/${name}`)).toBe(false);
  });

  it('refuses an entry that inflates past the limit (a zip bomb), and a file that is not a zip', async () => {
    const bomb = await importZip(operator, { 'a.yaml': new Uint8Array(PICTURE_MAX_BYTES + 1024) });
    expect([bomb.status, bomb.body.code]).toEqual([400, 'CATALOG_ZIP_REFUSED']);
    expect(bomb.body.message).toContain('解压后超过');

    const notZip = await operator.call<{ code: string; message: string }>('POST', '/catalog/import', strToU8('slug: x'));
    expect([notZip.status, notZip.body.code]).toEqual([400, 'CATALOG_ZIP_REFUSED']);
    expect(notZip.body.message).toContain('不是 zip');
  });

  it('locates errors in the files by file and line, in words staff read, importing nothing', async () => {
    const { files } = await exported(operator);
    const broken = withWeight(files, 'mecha-boy', 'weight: ', 'weight: -');
    const response = await importZip(operator, broken, '?apply=true');
    expect([response.status, response.body.code]).toEqual([400, 'CATALOG_FILES_INVALID']);
    expect(response.body.message).toMatch(/^系列文件有误，未导入任何内容：mecha-boy\.yaml 第 \d+ 行第 \d+ 列：items\[0\]\.weight /);
  });

  it('a viewer may export but gets 403 on import, and nothing changes', async () => {
    const { files } = await exported(viewer);
    const audits = await auditCount();
    const response = await importZip(viewer, withWeight(files, 'forest-friends', 'weight: 60', 'weight: 70'), '?apply=true');
    expect([response.status, response.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await boxDoc('forest-friends'))?.products[0]?.weight).toBe(60);
    expect(await auditCount()).toBe(audits);
  });
});
