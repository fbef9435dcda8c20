import type { BoxPage, ConsoleBoxEdit, ConsoleBoxPlan, ConsolePictureUpload, ConsoleStockReport } from '@blindbox/shared';
import { adminAuditEntryModel } from '../admin/admin-audit';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { photograph } from '../../test/support/pictures';
import { boxModel } from './box.model';
import { boxVersions } from './box-versions';

let server: TestServer;
let operator: ConsoleClient;
let viewer: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
  operator = await loginAs(server, await createStaff(server, 'cat-operator', 'operator'));
  viewer = await loginAs(server, await createStaff(server, 'cat-viewer', 'viewer'));
}, 60_000);
afterAll(() => server?.stop());

async function uploaded(hue: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  const response = await operator.call<ConsolePictureUpload>('POST', '/pictures', new Uint8Array(await photograph(format, { hue, width: 800, height: 800 })));
  expect(response.status).toBe(200);
  return response.body.imageUrl;
}

async function seriesEdit(slug: string): Promise<ConsoleBoxEdit> {
  return {
    slug,
    name: '摄影系列',
    description: '用照片做的系列',
    priceFen: 3900,
    coverUrl: await uploaded(30),
    paymentWindowMinutes: 15,
    purchaseLimit: 3,
    guarantee: { minRarity: 'RARE', within: 10 },
    sortOrder: 5,
    items: [
      { id: 'sun', name: '太阳', rarity: 'COMMON', weight: 8, valueFen: 3900, imageUrl: await uploaded(60, 'png'), silhouetteUrl: null, stock: 20 },
      { id: 'moon', name: '月亮', rarity: 'RARE', weight: 2, valueFen: 3900, imageUrl: await uploaded(220), silhouetteUrl: null, stock: 5 },
    ],
  };
}

const boxDoc = (slug: string) => boxModel(server.container.db).findOne({ slug }).lean();

describe('series editor through the console', () => {
  it('creates a series from photographs, on sale at once, and shows it back for editing', async () => {
    const edit = await seriesEdit('photo-editor');
    const plan = await operator.post<ConsoleBoxPlan>('/catalog/boxes/plan', { box: edit });
    expect([plan.status, plan.body.action]).toEqual([200, 'create']);
    expect(await boxDoc('photo-editor')).toBeNull();

    const saved = await operator.post<ConsoleBoxPlan>('/catalog/boxes', { box: edit });
    expect([saved.status, saved.body.action]).toEqual([200, 'create']);
    const page = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
    const listed = page.items.find((box) => box.name === '摄影系列');
    expect(listed?.coverUrl).toBe(edit.coverUrl);
    expect(listed?.products.map((product) => [product.id, product.weight])).toEqual([['sun', 8], ['moon', 2]]);

    const shown = await operator.get<{ box: ConsoleBoxEdit; version: number }>('/catalog/boxes/photo-editor');
    expect(shown.body.version).toBe(1);
    expect(shown.body.box).toMatchObject({ priceFen: 3900, purchaseLimit: 3, paymentWindowMinutes: 15, guarantee: { minRarity: 'RARE', within: 10 } });
    expect(shown.body.box.items.map((item) => item.stock)).toEqual([20, 5]);
    const entry = await adminAuditEntryModel(server.container.db).findOne({ command: 'box save', target: 'box:photo-editor' }).lean();
    expect(entry?.actor).toBe('staff:cat-operator');
  });

  it('changing the weights of a box on sale publishes a new odds version only once confirmed', async () => {
    const { body } = await operator.get<{ box: ConsoleBoxEdit }>('/catalog/boxes/photo-editor');
    const changed = { ...body.box, items: body.box.items.map((item) => (item.id === 'moon' ? { ...item, weight: 4 } : item)) };

    const plan = await operator.post<ConsoleBoxPlan>('/catalog/boxes/plan', { box: changed });
    expect(plan.body.action).toBe('new-version');
    expect(plan.body.before).toMatchObject({ version: 1, weights: { sun: 8, moon: 2 } });
    expect(plan.body.after).toMatchObject({ version: 2, weights: { sun: 8, moon: 4 } });

    const unconfirmed = await operator.post<{ code: string; message: string; version: number }>('/catalog/boxes', { box: changed });
    expect([unconfirmed.status, unconfirmed.body.code, unconfirmed.body.version]).toEqual([409, 'VERSION_NOT_CONFIRMED', 2]);
    expect(unconfirmed.body.message).toContain('新的概率版本');
    expect((await boxDoc('photo-editor'))?.version).toBe(1);

    const confirmed = await operator.post<ConsoleBoxPlan>('/catalog/boxes', { box: changed, confirmVersion: 2 });
    expect([confirmed.status, confirmed.body.action]).toEqual([200, 'new-version']);
    const doc = (await boxDoc('photo-editor'))!;
    expect(doc.version).toBe(2);
    const published = await boxVersions(server.container.db).byVersion(doc._id, 2);
    expect(published?.products.map((product) => product.weight)).toEqual([8, 4]);
    expect((await boxVersions(server.container.db).byVersion(doc._id, 1))?.products.map((product) => product.weight)).toEqual([8, 2]);

    // Saving the same again changes nothing.
    expect((await operator.post<ConsoleBoxPlan>('/catalog/boxes', { box: changed })).body.action).toBe('unchanged');
  });

  it('refuses a box the catalog file schema refuses, with the field named, writing nothing', async () => {
    const edit = await seriesEdit('bad-editor');
    const response = await operator.post<{ code: string; message: string }>('/catalog/boxes', { box: { ...edit, items: edit.items.map((item) => ({ ...item, weight: 0 })) } });
    expect([response.status, response.body.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(response.body.message).toContain('weight');
    expect(await boxDoc('bad-editor')).toBeNull();
  });

  it('changes stock per item, records who, and shows available / held / sold', async () => {
    const added = await operator.post<ConsoleStockReport>('/catalog/boxes/photo-editor/stock', { itemId: 'moon', add: 7 });
    expect(added.status).toBe(200);
    expect(added.body.items.find((item) => item.id === 'moon')?.left).toBe(12);
    expect(added.body.available).toBe(32);
    expect([added.body.held, added.body.sold]).toEqual([0, 0]);

    const below = await operator.post<{ code: string; message: string }>('/catalog/boxes/photo-editor/stock', { itemId: 'moon', add: -100 });
    expect([below.status, below.body.code]).toEqual([409, 'STOCK_BELOW_HELD']);

    const report = await viewer.get<ConsoleStockReport>('/catalog/boxes/photo-editor/stock');
    expect(report.body.items.find((item) => item.id === 'moon')?.left).toBe(12);
    const change = report.body.history.find((entry) => entry.command === 'stock add');
    expect(change).toMatchObject({ actor: 'staff:cat-operator', change: { before: { items: { moon: 5 } }, after: { items: { moon: 12 }, add: 7 } } });
  });

  it('a role without catalog.manage gets 403 on every change, and nothing changes', async () => {
    const { body } = await operator.get<{ box: ConsoleBoxEdit }>('/catalog/boxes/photo-editor');
    const before = await boxDoc('photo-editor');
    const audits = await adminAuditEntryModel(server.container.db).countDocuments();
    const changed = { ...body.box, name: '被改的名字', items: body.box.items.map((item) => ({ ...item, weight: 1 })) };
    for (const [path, payload] of [
      ['/catalog/boxes/plan', { box: changed }],
      ['/catalog/boxes', { box: changed, confirmVersion: 3 }],
      ['/catalog/boxes/photo-editor/stock', { itemId: 'moon', add: 1 }],
    ] as const) {
      const response = await viewer.post<{ code: string }>(path, payload);
      expect([path, response.status, response.body.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
    expect((await viewer.call<{ code: string }>('POST', '/pictures', new Uint8Array(await photograph('jpeg', { hue: 5 })))).status).toBe(403);
    expect(await boxDoc('photo-editor')).toEqual(before);
    expect(await adminAuditEntryModel(server.container.db).countDocuments()).toBe(audits);
    // Reading is the viewer's.
    expect((await viewer.get('/catalog/boxes')).status).toBe(200);
  });
});
