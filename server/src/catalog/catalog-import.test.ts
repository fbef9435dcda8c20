import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import type { Box, BoxPage, DrawProof, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { drawProofOf } from '../fairness/draw-proof';
import { serverSeedModel } from '../fairness/fairness.model';
import { verifyProofs } from '../../tools/verify-draw';
import type { OrderDoc } from '../orders/order.model';
import { boxModel } from './box.model';
import { boxVersions } from './box-versions';
import { catalogFileText } from './catalog-files';
import { DEMO_CATALOG_DIR } from './seed';
import { revealTimeOf } from '../fairness/server-seeds';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'catalog-test' });
const auditCount = async () => (JSON.parse((await admin('audit', '--limit', '1000', '--json')).output) as unknown[]).length;
const boxIdOf = async (slug: string) => (await boxModel(server.container.db).findOne({ slug }).lean())!._id.toHexString();
const publicBox = async (id: string) => (await (await fetch(`${server.url}/api/boxes/${id}`)).json()) as Box;

async function paid(user: Awaited<ReturnType<typeof shopper>>, orderIds: string[]): Promise<OrderDoc[]> {
  for (const id of orderIds) await payAtSimulator(server.simulatorUrl, prepayIdOf((await user.payJsapi(id)).package));
  return Promise.all(
    orderIds.map((id) => waitUntil(async () => {
      const doc = await orderDoc(server, id);
      return doc.status === 'TO_BE_DELIVERED' ? doc : null;
    }, 20_000, `order ${id} paid`)),
  );
}

/** Every unit's proof, with the seeds published (rotated, and read as of after the orders' payment windows). */
async function proofsOf(docs: OrderDoc[], boxId: string): Promise<DrawProof[]> {
  await admin('rotate-seed', boxId);
  // Each seed at its own reveal time: after the last deadline of the orders that took it (and its step, fairness.ts).
  const proofs: DrawProof[] = [];
  for (const doc of docs) {
    for (const [unit, draw] of doc.draws.entries()) {
      const seed = await serverSeedModel(server.container.db).findById(draw.proof!.seedId).lean();
      proofs.push(drawProofOf(doc, unit, seed!, revealTimeOf(seed!)!)!);
    }
  }
  return JSON.parse(JSON.stringify(proofs)) as DrawProof[];
}

test('import → export round-trips byte for byte (YAML and JSON, with pictures); importing again changes nothing; the demo catalog is its own export', async () => {
  const yamlBox = boxFile('rt-yaml', { 'rt-a': { rarity: 'COMMON', weight: 7, stock: 12 }, 'rt-b': { rarity: 'SECRET', weight: 1, stock: 2 } }, {
    guarantee: { minRarity: 'SECRET', within: 20 },
    paymentWindowMinutes: 5,
    purchaseLimit: 3,
  });
  yamlBox.items[1]!.silhouette = 'rt-yaml/rt-b-silhouette.svg';
  const yamlDir = await catalogDir([yamlBox]);
  const jsonDir = await catalogDir([boxFile('rt-json', { 'rt-c': { rarity: 'RARE', weight: 2, stock: 4 } })], 'json');
  const audits = await auditCount();

  const dryRun = await admin('box', 'import', yamlDir, '--dry-run');
  expect(dryRun.output).toContain('dry run, nothing written');
  expect(await boxModel(server.container.db).exists({ slug: 'rt-yaml' })).toBeNull();
  expect(await auditCount()).toBe(audits);

  expect(await admin('box', 'import', yamlDir, '--as', 'merchant-mei')).toEqual({ exitCode: 0, output: 'rt-yaml: created (version 1)' });
  expect((await admin('box', 'import', path.join(jsonDir, 'rt-json.json'))).output).toBe('rt-json: created (version 1)');
  const [entry] = JSON.parse((await admin('audit', '--limit', '2', '--json')).output) as Array<Record<string, unknown>>;
  expect(entry).toMatchObject({ command: 'box import', target: 'box:rt-json', before: null, after: { version: 1, weights: { 'rt-c': 2 }, stockChanges: { 'rt-c': 4 } } });
  expect(await auditCount()).toBe(audits + 2);

  const out = await mkdtemp(path.join(os.tmpdir(), 'catalog-export-'));
  for (const [slug, dir, name] of [['rt-yaml', yamlDir, 'rt-yaml.yaml'], ['rt-json', jsonDir, 'rt-json.json']] as const) {
    expect((await admin('box', 'export', slug, '--out', path.join(out, name))).exitCode).toBe(0);
    expect(await readFile(path.join(out, name), 'utf8')).toBe(await readFile(path.join(dir, name), 'utf8'));
  }
  for (const picture of ['rt-yaml/cover.svg', 'rt-yaml/rt-a.svg', 'rt-yaml/rt-b.svg', 'rt-yaml/rt-b-silhouette.svg']) {
    expect(await readFile(path.join(out, picture), 'utf8')).toBe(await readFile(path.join(yamlDir, picture), 'utf8'));
  }

  expect((await admin('box', 'import', out)).output).toBe('rt-json: unchanged (version 1)\nrt-yaml: unchanged (version 1)');
  expect(await auditCount()).toBe(audits + 2);

  const demo = await admin('box', 'export', 'starry-cat');
  expect(`${demo.output}\n`).toBe(await readFile(path.join(DEMO_CATALOG_DIR, 'starry-cat.yaml'), 'utf8'));
  const listed = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
  expect(listed.items.find((box) => box.name === '盒子 rt-yaml')).toMatchObject({ stock: 14, purchaseLimit: 3, paymentWindowMinutes: 5, version: 1 });
});

test('a malformed catalog changes nothing and lists every error with its file, path and line', async () => {
  const dir = await catalogDir([boxFile('mf-good', { 'mf-x': { rarity: 'COMMON', weight: 1, stock: 1 } })]);
  await writeFile(
    path.join(dir, 'mf-bad.yaml'),
    [
      'slug: mf-bad',
      'name: bad',
      'priceFen: -5',
      'cover: mf-bad/cover.svg',
      'items:',
      '  - id: mf-a',
      '    name: A',
      '    rarity: COMMON',
      '    weight: 0',
      '    picture: mf-bad/a.svg',
      '    stock: 1',
      '  - id: mf-a',
      '    name: B',
      '    rarity: LEGENDARY',
      '    weight: 1',
      '    picture: mf-bad/b.svg',
      '    stock: 1',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'mf-syntax.json'), '{\n  "slug": "mf-syntax",\n  "name": "x",\n  "items": [\n');
  const missing = boxFile('mf-pic', { 'mf-p': { rarity: 'COMMON', weight: 1, stock: 1 } });
  await mkdir(path.join(dir, 'mf-pic'));
  await writeFile(path.join(dir, 'mf-pic', 'cover.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(dir, 'mf-pic.yaml'), catalogFileText(missing, 'yaml'));
  const boxes = await boxModel(server.container.db).countDocuments();
  const audits = await auditCount();

  const result = await admin('box', 'import', dir);
  expect(result.exitCode).toBe(1);
  const lines = result.output.split('\n');
  expect(lines[0]).toMatch(/^nothing imported: \d+ error\(s\)$/);
  const bad = path.join(dir, 'mf-bad.yaml');
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${bad}:3:11: priceFen: Too small: expected number to be >=1`)),
      expect.stringMatching(new RegExp(`^${bad}:9:13: items\\[0\\]\\.weight: `)),
      expect.stringMatching(new RegExp(`^${bad}:12:9: items\\[1\\]\\.id: item id "mf-a" appears twice`)),
      expect.stringMatching(new RegExp(`^${bad}:14:13: items\\[1\\]\\.rarity: `)),
      expect.stringMatching(new RegExp(`^${path.join(dir, 'mf-pic.yaml')}:\\d+:\\d+: items\\[0\\]\\.picture: picture file .*mf-p\\.svg cannot be read`)),
      expect.stringMatching(new RegExp(`^${path.join(dir, 'mf-syntax.json')}:\\d+:\\d+: `)),
    ]),
  );
  const json = JSON.parse((await admin('box', 'import', dir, '--json')).output) as { errors: Array<{ file: string; path: string; line: number }> };
  expect(json.errors).toContainEqual(expect.objectContaining({ file: bad, path: 'items[1].rarity', line: 14 }));
  expect(await boxModel(server.container.db).countDocuments()).toBe(boxes);
  expect(await boxModel(server.container.db).exists({ slug: 'mf-good' })).toBeNull();
  expect(await auditCount()).toBe(audits);
});

test('changing the weights of a box on sale publishes a new version with a new seed; orders placed before keep the old odds and their proofs verify', async () => {
  const v1 = boxFile('ver', { 'ver-common': { rarity: 'COMMON', weight: 9, stock: 50 }, 'ver-secret': { rarity: 'SECRET', weight: 1, stock: 50 } });
  await admin('box', 'import', await catalogDir([v1]));
  const boxId = await boxIdOf('ver');
  expect((await publicBox(boxId)).version).toBe(1);
  const seedBefore = await server.container.fairness.seeds.current(new Types.ObjectId(boxId));
  const buyer = await shopper(server, 'dev-catalog-versions');
  const before = await buyer.placeOrder([{ boxId, quantity: 3 }]);
  expect(before.items[0]?.boxVersion).toBe(1);

  const v2 = boxFile('ver', { 'ver-common': { rarity: 'COMMON', weight: 1, stock: 50 }, 'ver-secret': { rarity: 'SECRET', weight: 9, stock: 50 } });
  const imported = await admin('box', 'import', await catalogDir([v2]), '--json');
  expect(JSON.parse(imported.output)).toEqual([{ slug: 'ver', action: 'new-version', version: 2, warnings: [] }]);
  const shown = await publicBox(boxId);
  expect(shown.version).toBe(2);
  expect(shown.products.map((product) => product.odds)).toEqual([0.1, 0.9]);
  const seedAfter = await server.container.fairness.seeds.current(new Types.ObjectId(boxId));
  expect(seedAfter.hash).not.toBe(seedBefore.hash);
  const after: Order = await buyer.placeOrder([{ boxId, quantity: 3 }]);
  expect(after.items[0]?.boxVersion).toBe(2);

  const [oldDoc, newDoc] = await paid(buyer, [before.id, after.id]);
  expect(oldDoc!.items[0]!.products.map((product) => product.weight)).toEqual([9, 1]);
  expect(oldDoc!.items[0]!.seedId).toBe(seedBefore._id);
  expect(newDoc!.items[0]!.products.map((product) => product.weight)).toEqual([1, 9]);
  expect(newDoc!.items[0]!.seedId).toBe(seedAfter._id);
  const versions = boxVersions(server.container.db);
  expect((await versions.byVersion(new Types.ObjectId(boxId), 1))?.products.map((product) => product.weight)).toEqual([9, 1]);
  expect((await versions.byVersion(new Types.ObjectId(boxId), 2))).toMatchObject({ seedId: seedAfter._id });

  const proofs = await proofsOf([oldDoc!, newDoc!], boxId);
  expect(proofs.slice(0, 3).every((proof) => proof.products.map((product) => product.weight).join() === '9,1')).toBe(true);
  expect(verifyProofs(proofs).filter((entry) => !entry.result.ok)).toEqual([]);
});

test('a retired box takes no new orders (409 BOX_RETIRED) and is not listed; an order placed before is still paid and drawn', async () => {
  await admin('box', 'import', await catalogDir([boxFile('ret', { 'ret-a': { rarity: 'COMMON', weight: 1, stock: 20 } })]));
  const boxId = await boxIdOf('ret');
  const buyer = await shopper(server, 'dev-catalog-retire');
  const placed = await buyer.placeOrder([{ boxId, quantity: 1 }]);
  const audits = await auditCount();

  expect((await admin('box', 'retire', 'ret')).exitCode).toBe(2);
  expect((await admin('box', 'retire', 'ret', '--dry-run')).output).toContain('box retire box:ret');
  expect(await auditCount()).toBe(audits);
  expect((await boxModel(server.container.db).findOne({ slug: 'ret' }).lean())?.retiredAt).toBeNull();

  expect((await admin('box', 'retire', 'ret', '--yes', '--as', 'merchant-mei')).output).toContain('retired');
  const [entry] = JSON.parse((await admin('audit', '--limit', '1', '--json')).output) as Array<Record<string, unknown>>;
  expect(entry).toMatchObject({ actor: 'merchant-mei', command: 'box retire', target: 'box:ret', before: { active: true, retiredAt: null }, after: { active: false } });

  const refused = await buyer.api.post<{ code: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: (await buyer.address()).id });
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('BOX_RETIRED');
  const listed = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
  expect(listed.items.map((box) => box.id)).not.toContain(boxId);
  const [doc] = await paid(buyer, [placed.id]);
  expect(doc!.draws).toHaveLength(1);
});
