import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifySet, type Box, type BoxSet, type BoxSetList } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { buyer } from '../../test/fault/fault-support';
import { boxFile, catalogDir, setBoxFile } from '../../test/support/catalog-files';
import { payAndWait } from '../../test/support/sets';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { catalogFileText } from '../catalog/catalog-files';
import { DEMO_CATALOG_DIR } from '../catalog/seed';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'set-import-test' });
const auditCount = async () => (JSON.parse((await admin('audit', '--limit', '1000', '--json')).output) as unknown[]).length;
const lastAudit = async () => (JSON.parse((await admin('audit', '--limit', '1', '--json')).output) as Array<Record<string, unknown>>)[0];
const setsOf = async (slug: string) => JSON.parse((await admin('sets', 'list', slug, '--json')).output) as BoxSetList['items'];
const boxDoc = async (slug: string) => (await boxModel(server.container.db).findOne({ slug }).lean())!;
const publicBox = async (slug: string) => (await (await fetch(`${server.url}/api/boxes/${(await boxDoc(slug))._id.toHexString()}`)).json()) as Box;

test('a whole-set box file imports as a box sold in sets with its first sets made; export writes it back byte for byte; importing again makes no more sets; the demo 月兔端盒 is its own export', async () => {
  const file = setBoxFile('sb-rt', { 'sb-rt-a': 'COMMON', 'sb-rt-b': 'RARE', 'sb-rt-c': 'EPIC', 'sb-rt-s': 'SECRET' }, { secretEvery: 1, purchaseLimit: 3, paymentWindowMinutes: 5 });
  file.items[3]!.silhouette = 'sb-rt/sb-rt-s-silhouette.svg';
  const yamlDir = await catalogDir([file]);
  const jsonDir = await catalogDir([setBoxFile('sb-json', { 'sb-json-a': 'COMMON', 'sb-json-b': 'COMMON' }, { firstSets: 1 })], 'json');

  expect(await admin('box', 'import', yamlDir, '--as', 'merchant-mei')).toEqual({ exitCode: 0, output: 'sb-rt: created (version 1); 2 set(s) made, each committed before sale' });
  expect(await lastAudit()).toMatchObject({
    actor: 'merchant-mei',
    command: 'box import',
    target: 'box:sb-rt',
    before: null,
    after: { designs: ['sb-rt-a', 'sb-rt-b', 'sb-rt-c', 'sb-rt-s'], secretEvery: 1, setsMade: 2 },
  });
  expect(JSON.parse((await admin('box', 'import', path.join(jsonDir, 'sb-json.json'), '--json')).output)).toEqual([{ slug: 'sb-json', action: 'create', version: 1, setsMade: 1, warnings: [] }]);
  const made = await setsOf('sb-rt');
  expect(made.map((set) => [set.number, set.positions, set.state, set.free])).toEqual([[1, 3, 'ON_SALE', 3], [2, 3, 'ON_SALE', 3]]);
  expect(await publicBox('sb-rt')).toMatchObject({ saleMode: 'SETS', stock: 6, purchaseLimit: 3, paymentWindowMinutes: 5, guarantee: null });

  const out = await mkdtemp(path.join(os.tmpdir(), 'set-export-'));
  for (const [slug, dir, name] of [['sb-rt', yamlDir, 'sb-rt.yaml'], ['sb-json', jsonDir, 'sb-json.json']] as const) {
    expect((await admin('box', 'export', slug, '--out', path.join(out, name))).exitCode).toBe(0);
    expect(await readFile(path.join(out, name), 'utf8')).toBe(await readFile(path.join(dir, name), 'utf8'));
  }
  for (const picture of ['sb-rt/cover.svg', 'sb-rt/sb-rt-a.svg', 'sb-rt/sb-rt-s.svg', 'sb-rt/sb-rt-s-silhouette.svg']) {
    expect(await readFile(path.join(out, picture), 'utf8')).toBe(await readFile(path.join(yamlDir, picture), 'utf8'));
  }
  const audits = await auditCount();
  expect((await admin('box', 'import', out)).output).toBe('sb-json: unchanged (version 1)\nsb-rt: unchanged (version 1)');
  expect(await auditCount()).toBe(audits);
  expect((await setsOf('sb-rt')).map((set) => set.commitment)).toEqual(made.map((set) => set.commitment));

  const demo = await admin('box', 'export', 'moon-rabbit-set');
  expect(`${demo.output}\n`).toBe(await readFile(path.join(DEMO_CATALOG_DIR, 'moon-rabbit-set.yaml'), 'utf8'));

  // Bought whole, a set from the file delivers its designs (secretEvery 1: the secret in place of one) and verifies.
  const shopper = await buyer(server, 'dev-set-import-whole');
  const boxId = (await boxDoc('sb-rt'))._id.toHexString();
  const order = await shopper.orderNow([{ boxId, quantity: 3, setPick: { setId: made[0]!.id, wholeSet: true } }]);
  const paid = await payAndWait(server, shopper.api, order.id);
  const designs = paid.draws.map((draw) => draw.productId);
  expect(designs).toContain('sb-rt-s');
  expect(designs.filter((id) => ['sb-rt-a', 'sb-rt-b', 'sb-rt-c'].includes(id))).toHaveLength(2);
  // The positions are recorded sold just after the order turns paid.
  const revealed = await waitUntil(async () => {
    const set = (await (await fetch(`${server.url}/api/sets/${made[0]!.id}`)).json()) as BoxSet;
    return set.state === 'SOLD_OUT' ? set : null;
  }, 10_000, 'the set to be sold out');
  expect(verifySet(revealed)).toEqual({ ok: true });
  // A sold-out set is no longer for sale: the export says one set is left.
  expect((await admin('box', 'export', 'sb-rt')).output).toContain('firstSets: 1\n');
});

test('descriptive fields follow the file; the design list changes in place only while the box has no set; once one exists a new line-up is refused and nothing is written; first sets are made once', async () => {
  const designs = { 'sb-up-a': 'COMMON', 'sb-up-b': 'RARE', 'sb-up-s': 'SECRET' } as const;
  const rules = { secretEvery: 4 };
  await admin('box', 'import', await catalogDir([setBoxFile('sb-up', designs, { ...rules, firstSets: 0 })]));
  expect(await setsOf('sb-up')).toEqual([]);

  // No set yet: the line-up may change in place (a design added, one renamed), and the first sets follow the file.
  const lineUp = setBoxFile('sb-up', { ...designs, 'sb-up-c': 'EPIC' }, { ...rules, firstSets: 2 });
  lineUp.items[0]!.name = '新名字';
  expect((await admin('box', 'import', await catalogDir([lineUp]))).output).toBe('sb-up: updated (version 1); 2 set(s) made, each committed before sale');
  expect((await boxDoc('sb-up')).products.map((product) => [product.productId, product.name])).toEqual([
    ['sb-up-a', '新名字'],
    ['sb-up-b', 'design sb-up-b'],
    ['sb-up-s', 'design sb-up-s'],
    ['sb-up-c', 'design sb-up-c'],
  ]);
  const made = await setsOf('sb-up');
  expect(made.map((set) => set.positions)).toEqual([3, 3]);

  // Sets exist: more firstSets make none, and names, price and terms still follow the file.
  const repriced = { ...lineUp, name: '涨价端盒', priceFen: 3990, purchaseLimit: 6, firstSets: 9 };
  expect((await admin('box', 'import', await catalogDir([repriced]))).output).toBe('sb-up: updated (version 1)');
  expect(await publicBox('sb-up')).toMatchObject({ name: '涨价端盒', priceFen: 3990, purchaseLimit: 6, stock: 6 });
  expect((await setsOf('sb-up')).map((set) => set.commitment)).toEqual(made.map((set) => set.commitment));

  const before = await boxDoc('sb-up');
  const audits = await auditCount();
  const dropped = { ...repriced, name: '少一款', items: repriced.items.filter((item) => item.id !== 'sb-up-c') };
  const renamed = { ...repriced, items: repriced.items.map((item) => (item.id === 'sb-up-b' ? { ...item, name: '改名' } : item)) };
  for (const changed of [dropped, renamed, { ...repriced, secretEvery: 2 }]) {
    const refused = await admin('box', 'import', await catalogDir([changed]), '--json');
    expect(refused.exitCode).toBe(1);
    const { error } = JSON.parse(refused.output) as { error: { code: string; message: string } };
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toMatch(/^box sb-up: its design list is fixed once its first set is made \(2 set\(s\) are committed to it/);
  }
  const after = await boxDoc('sb-up');
  expect([after.name, after.products, after.setRules]).toEqual([before.name, before.products, before.setRules]);
  expect(await auditCount()).toBe(audits);
  expect((await setsOf('sb-up')).map((set) => set.commitment)).toEqual(made.map((set) => set.commitment));
});

test('a box keeps the sale mode it was created with: a weighted file over a set box, or a set file over a weighted box, is refused', async () => {
  await admin('box', 'import', await catalogDir([setBoxFile('sb-mode', { 'sb-mode-a': 'COMMON' })]));
  await admin('box', 'import', await catalogDir([boxFile('wb-mode', { 'wb-mode-a': { rarity: 'COMMON', weight: 1, stock: 5 } })]));

  const toWeighted = await admin('box', 'import', await catalogDir([boxFile('sb-mode', { 'sb-mode-a': { rarity: 'COMMON', weight: 1, stock: 5 } })]));
  expect(toWeighted).toEqual({ exitCode: 1, output: expect.stringMatching(/^error: box sb-mode is sold as whole sets; a box keeps the sale mode it was created with.*\(IMPORT_REFUSED\)$/) });
  const toSets = await admin('box', 'import', await catalogDir([setBoxFile('wb-mode', { 'wb-mode-a': 'COMMON' })]));
  expect(toSets).toEqual({ exitCode: 1, output: expect.stringMatching(/^error: box wb-mode is sold by weighted draws; a box keeps the sale mode/) });
  expect([(await boxDoc('sb-mode')).saleMode, (await boxDoc('wb-mode')).saleMode]).toEqual(['SETS', 'WEIGHTED']);
});

test('a field of the other sale mode, and a line-up no set can be made of, is an error with its path and line; nothing is written', async () => {
  const setDir = await catalogDir([setBoxFile('sb-bad', { 'sb-bad-a': 'COMMON', 'sb-bad-s': 'SECRET' })]);
  const setFile = path.join(setDir, 'sb-bad.yaml');
  const text = (await readFile(setFile, 'utf8'))
    .replace('sortOrder: 60\n', 'sortOrder: 60\nguarantee:\n  minRarity: SECRET\n  within: 6\n')
    .replace('    picture: sb-bad/sb-bad-a.svg\n', '    weight: 3\n    picture: sb-bad/sb-bad-a.svg\n    stock: 10\n');
  await writeFile(setFile, text);
  const weighted = boxFile('wb-bad', { 'wb-bad-a': { rarity: 'COMMON', weight: 1, stock: 1 } });
  await writeFile(path.join(setDir, 'wb-bad.yaml'), catalogFileText(weighted, 'yaml').replace('sortOrder: 50\n', 'sortOrder: 50\nsecretEvery: 6\nfirstSets: 2\n'));
  const onlySecret = setBoxFile('sb-secret', { 'sb-secret-s': 'SECRET' }, { secretEvery: 2 });
  await writeFile(path.join(setDir, 'sb-secret.yaml'), catalogFileText(onlySecret, 'yaml'));
  const noSecret = setBoxFile('sb-nosecret', { 'sb-nosecret-a': 'COMMON' }, { secretEvery: 2 });
  await writeFile(path.join(setDir, 'sb-nosecret.yaml'), catalogFileText(noSecret, 'yaml'));
  const boxes = await boxModel(server.container.db).countDocuments();
  const audits = await auditCount();

  const result = await admin('box', 'import', setDir, '--json');
  expect(result.exitCode).toBe(1);
  const { errors } = JSON.parse(result.output) as { errors: Array<{ file: string; path: string; line: number; message: string }> };
  const at = (file: string) => errors.filter((error) => error.file === path.join(setDir, file)).map(({ path: field, line, message }) => ({ path: field, line, message }));
  expect(at('sb-bad.yaml')).toEqual(
    expect.arrayContaining([
      { path: 'items[0].weight', line: 17, message: expect.stringContaining('weight is for weighted boxes') },
      { path: 'items[0].stock', line: 19, message: expect.stringContaining('stock is for weighted boxes') },
      { path: 'guarantee', line: 10, message: expect.stringContaining('guarantee (保底) is for weighted boxes') },
      { path: 'secretEvery', line: 1, message: 'the series has 1 SECRET design(s): say in how many sets one replaces a position (secretEvery)' },
    ]),
  );
  expect(at('wb-bad.yaml')).toEqual([
    { path: 'secretEvery', line: 7, message: 'secretEvery is for whole-set boxes (saleMode: SETS)' },
    { path: 'firstSets', line: 8, message: 'firstSets is for whole-set boxes (saleMode: SETS)' },
  ]);
  expect(at('sb-secret.yaml')).toEqual([{ path: 'items', line: expect.any(Number), message: expect.stringMatching(/^a set has one position per design that is not SECRET: 1–20 of them, not 0$/) }]);
  expect(at('sb-nosecret.yaml')).toEqual([{ path: 'secretEvery', line: 7, message: 'no SECRET design to replace a position with' }]);
  expect(await boxModel(server.container.db).countDocuments()).toBe(boxes);
  expect(await auditCount()).toBe(audits);
});
