import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Types } from 'mongoose';
import type { BoxSet, DrawProof, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';
import { boxFile, catalogDir } from '../../test/support/catalog-files';
import { payAndWait, setBoxWithSets } from '../../test/support/sets';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { itemStock } from '../catalog/item-stock';
import type { OrderDoc } from '../orders/order.model';
import { serverSeedModel } from './fairness.model';
import { drawProofOf } from './draw-proof';

const VERIFIER = path.resolve(__dirname, '../../../tools/verify_draws.py');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Runs the Python verifier (written from docs/fairness.md alone) on `entries`; its exit code and lines. */
async function python(entries: unknown[]): Promise<{ code: number; lines: string[] }> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'verify-')), 'entries.json');
  await writeFile(file, JSON.stringify(entries));
  try {
    const { stdout } = await promisify(execFile)('python3', [VERIFIER, file]);
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, lines: failed.stdout.trim().split('\n') };
  }
}

test('the Python verifier written from docs/fairness.md agrees with the server on every draw of a sold-out box and on a sold-out whole set', async () => {
  const file = boxFile(
    'py',
    { 'py-common': { rarity: 'COMMON', weight: 70, stock: 6 }, 'py-rare': { rarity: 'RARE', weight: 20, stock: 4 }, 'py-epic': { rarity: 'EPIC', weight: 10, stock: 4 } },
    { guarantee: { minRarity: 'EPIC', within: 3 } },
  );
  expect((await runAdminCommand(server.container, ['box', 'import', await catalogDir([file])], { osUser: 'py-test' })).exitCode).toBe(0);
  const boxId = (await boxModel(server.container.db).findOne({ slug: 'py' }).lean())!._id as Types.ObjectId;
  const buyers = await Promise.all([0, 1, 2].map((i) => shopper(server, `dev-py-${i}`)));
  const docs: OrderDoc[] = [];
  for (let round = 0; round < 20; round++) {
    const placed = await Promise.all(
      buyers.map(async (buyer, i) => {
        const { status, body } = await buyer.api.post<Order>('/api/orders', { items: [{ boxId: boxId.toHexString(), quantity: 1 + ((round + i) % 2) }], addressId: (await buyer.address()).id });
        return status === 201 ? { buyer, order: body } : null;
      }),
    );
    if (placed.every((entry) => entry === null)) break;
    for (const entry of placed) {
      if (!entry) continue;
      await payAtSimulator(server.simulatorUrl, prepayIdOf((await entry.buyer.payJsapi(entry.order.id)).package));
      docs.push(await waitUntil(async () => {
        const doc = await orderDoc(server, entry.order.id);
        return doc.status === 'TO_BE_PAID' ? null : doc;
      }, 60_000, 'paid'));
    }
  }
  const counts = await itemStock(server.container.db).counts(boxId);
  // Sold out, or every unit left is a common no due shopper may take.
  expect(counts?.['py-epic']).toBe(0);

  // Retired, and read as after every order's window: the seed is revealed in each proof.
  await runAdminCommand(server.container, ['rotate-seed', boxId.toHexString()]);
  const later = new Date(Date.now() + 24 * 3600_000);
  const proofs: DrawProof[] = [];
  for (const doc of docs) {
    for (const [unit, draw] of doc.draws.entries()) {
      const seed = await serverSeedModel(server.container.db).findById(draw.proof!.seedId).lean();
      proofs.push(drawProofOf(doc, unit, seed!, later)!);
    }
  }
  expect(proofs.length).toBeGreaterThan(10);
  expect(proofs.every((proof) => proof.serverSeed !== null)).toBe(true);

  // A whole set, sold out by one shopper: its arrangement and sales are published.
  const { boxId: setBox, setIds } = await setBoxWithSets(server, 4, 1, 3);
  const setBuyer = await shopper(server, 'dev-py-set');
  const setOrder = await setBuyer.placeOrder([{ boxId: setBox, quantity: 4, setPick: { setId: setIds[0]!, wholeSet: true } }]);
  await payAndWait(server, setBuyer.api, setOrder.id);
  const set = await waitUntil(async () => {
    const { body } = await setBuyer.api.get<BoxSet>(`/api/sets/${setIds[0]}`);
    return body.arrangement ? body : null;
  }, 30_000, 'set revealed');
  // Every input a set verifier needs is in the answer, the block rule's `secretEvery` too.
  expect(set.secretEvery).toBe(3);

  const agreed = await python([set, ...proofs]);
  expect(agreed.lines.filter((line) => line.startsWith('OK'))).toHaveLength(proofs.length + 1);
  expect(agreed.code).toBe(0);

  // A draw altered after the fact, and a set sale moved, are both caught.
  const [first] = proofs;
  const other = first!.products.find((product) => product.productId !== first!.productId)!.productId;
  const altered = await python([{ ...set, sales: set.sales!.map((sale, i) => (i === 0 ? { ...sale, position: (sale.position + 1) % 4 } : sale)) }, { ...first, productId: other }, ...proofs.slice(1)]);
  expect(altered.code).toBe(1);
  expect(altered.lines.filter((line) => line.startsWith('MISMATCH'))).toHaveLength(2);
}, 240_000);
