import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Types } from 'mongoose';
import { parse } from 'yaml';
import type { Box, CatalogWeightedBoxFile } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper } from '../../test/support/shop';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from './box.model';
import { boxVersions } from './box-versions';

/**
 * Item values (商品价值) from the catalog file to the shopper's API, the order and the box's versions, and the
 * price checks at import: warnings by default, refusals with --strict, and never an item without a value.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'compliance-test' });
const boxDoc = (slug: string) => boxModel(server.container.db).findOne({ slug }).lean();
const publicBox = async (id: string) => (await (await fetch(`${server.url}/api/boxes/${id}`)).json()) as Box;

test('values are imported, shown by the box API, kept by the order, and exported back', async () => {
  const file = boxFile('val', { 'val-a': { rarity: 'COMMON', weight: 3, stock: 20, valueFen: 1590 }, 'val-b': { rarity: 'SECRET', weight: 1, stock: 5, valueFen: 3190 } });
  expect((await admin('box', 'import', await catalogDir([file]))).output).toBe('val: created (version 1)');
  const box = (await boxDoc('val'))!;
  const shown = await publicBox(box._id.toHexString());
  expect(shown.products.map((product) => [product.id, product.valueFen])).toEqual([
    ['val-a', 1590],
    ['val-b', 3190],
  ]);

  const buyer = await shopper(server, 'dev-compliance-values');
  const order = await buyer.placeOrder([{ boxId: shown.id, quantity: 1 }]);
  expect((await orderDoc(server, order.id)).items[0]!.products.map((product) => product.valueFen)).toEqual([1590, 3190]);

  const exported = parse((await admin('box', 'export', 'val')).output) as CatalogWeightedBoxFile;
  expect(exported.items.map((item) => item.valueFen)).toEqual([1590, 3190]);
});

test('the demo catalog publishes a value for every item and passes the default checks', async () => {
  const result = JSON.parse((await admin('box', 'import', path.resolve(__dirname, '../../catalog'), '--dry-run', '--json')).output) as Array<{ warnings: unknown[] }>;
  expect(result.length).toBeGreaterThanOrEqual(5);
  expect(result.flatMap((box) => box.warnings)).toEqual([]);
  expect(await readFile(path.resolve(__dirname, '../../catalog/starry-cat.yaml'), 'utf8')).toContain('valueFen: 19900');
});

test('an item without a value is refused, dry run or not, naming the item and the national guideline; nothing is written', async () => {
  const dir = await catalogDir([boxFile('noval', { 'noval-a': { rarity: 'COMMON', weight: 1, stock: 5 }, 'noval-b': { rarity: 'RARE', weight: 1, stock: 5, valueFen: null } })]);
  for (const extra of [['--dry-run'], []]) {
    const result = await admin('box', 'import', dir, ...extra);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('1 个款式未填写商品价值（valueFen）：noval-b');
    expect(result.output).toContain('《盲盒经营行为规范指引（试行）》');
    expect(result.output).toContain('NOT_COMPLIANT');
  }
  expect(await boxDoc('noval')).toBeNull();
});

test('a ¥999 box of ¥5 items imports with warnings naming their source; --strict refuses it and writes nothing', async () => {
  const file = boxFile('pricey', { 'pricey-a': { rarity: 'COMMON', weight: 1, stock: 5, valueFen: 500 } }, { priceFen: 99_900 });
  const dir = await catalogDir([file]);

  const strict = await admin('box', 'import', dir, '--strict');
  expect(strict.exitCode).toBe(1);
  expect(strict.output).toContain('单盒售价 ¥999.00 超过 ¥200.00');
  expect(strict.output).toContain('与售价 ¥999.00 相差 -99%');
  expect(await boxDoc('pricey')).toBeNull();

  const dryRun = await admin('box', 'import', dir, '--dry-run');
  expect(dryRun.exitCode).toBe(0);
  expect(dryRun.output).toContain('dry run, nothing written');
  expect(dryRun.output).toContain('"complianceWarnings":["单盒售价 ¥999.00 超过 ¥200.00');
  expect(await boxDoc('pricey')).toBeNull();

  const warned = await admin('box', 'import', dir);
  expect(warned.exitCode).toBe(0);
  const lines = warned.output.split('\n');
  expect(lines[0]).toBe('pricey: created (version 1)');
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^ {2}warning: 单盒售价 ¥999\.00 超过 ¥200\.00.*（依据：《上海市盲盒经营活动合规指引》/),
    expect.stringMatching(/^ {2}warning: 按公示概率每抽平均商品价值 ¥5\.00.*（依据：《上海市盲盒经营活动合规指引》/),
  ]);
  // The audit entry keeps the warnings the box was published over.
  const [entry] = JSON.parse((await admin('audit', '--limit', '1', '--json')).output) as Array<{ target: string; after: { complianceWarnings: string[] } }>;
  expect(entry!.target).toBe('box:pricey');
  expect(entry!.after.complianceWarnings).toHaveLength(2);
  const json = JSON.parse((await admin('box', 'import', dir, '--json')).output) as Array<{ warnings: Array<{ rule: string; severity: string }> }>;
  expect(json[0]!.warnings.map((finding) => [finding.rule, finding.severity])).toEqual([
    ['PRICE_OVER_CAP', 'ADVISED'],
    ['VALUE_FAR_FROM_PRICE', 'ADVISED'],
  ]);
});

test('changing an item value of a box on sale publishes a new version; the old version and the orders placed under it keep the old value', async () => {
  const items = (common: number) => ({ 'rev-a': { rarity: 'COMMON' as const, weight: 4, stock: 30, valueFen: common }, 'rev-b': { rarity: 'RARE' as const, weight: 1, stock: 30, valueFen: 2590 } });
  await admin('box', 'import', await catalogDir([boxFile('rev', items(1790))]));
  const boxId = (await boxDoc('rev'))!._id;
  const buyer = await shopper(server, 'dev-compliance-revalue');
  const before = await buyer.placeOrder([{ boxId: boxId.toHexString(), quantity: 1 }]);

  const imported = JSON.parse((await admin('box', 'import', await catalogDir([boxFile('rev', items(1890))]), '--json')).output) as Array<{ action: string; version: number }>;
  expect(imported[0]).toMatchObject({ action: 'new-version', version: 2 });
  const [entry] = JSON.parse((await admin('audit', '--limit', '1', '--json')).output) as Array<{ before: { values: object }; after: { values: object } }>;
  expect(entry).toMatchObject({ before: { values: { 'rev-a': 1790 } }, after: { values: { 'rev-a': 1890 } } });

  expect((await publicBox(boxId.toHexString())).products[0]!.valueFen).toBe(1890);
  const versions = boxVersions(server.container.db);
  expect((await versions.byVersion(boxId, 1))!.products.map((product) => product.valueFen)).toEqual([1790, 2590]);
  expect((await versions.byVersion(boxId, 2))!.products.map((product) => product.valueFen)).toEqual([1890, 2590]);
  expect((await orderDoc(server, before.id)).items[0]!.products[0]!.valueFen).toBe(1790);
});

test('a box stored before values were kept answers valueFen null; an import that sets them is accepted', async () => {
  await admin('box', 'import', await catalogDir([boxFile('old', { 'old-a': { rarity: 'COMMON', weight: 1, stock: 5 } })]));
  // As the database of a shop that ran before item values: no valueFen in the stored items.
  await boxModel(server.container.db).collection.updateOne({ slug: 'old' }, { $unset: { 'products.0.valueFen': '' } });
  const boxId = (await boxDoc('old'))!._id as Types.ObjectId;
  expect((await publicBox(boxId.toHexString())).products[0]!.valueFen).toBeNull();

  // Publishing the values of a box on sale is a change of what the shopper buys on: a new version.
  const imported = await admin('box', 'import', await catalogDir([boxFile('old', { 'old-a': { rarity: 'COMMON', weight: 1, stock: 5, valueFen: 2190 } })]));
  expect(imported.output).toBe('old: new version 2: its odds or item values were changed while on sale');
  expect((await publicBox(boxId.toHexString())).products[0]!.valueFen).toBe(2190);
});
