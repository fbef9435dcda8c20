import { boxSetListSchema, boxSetSchema, type BoxSet, type BoxSetList } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { buyer, changedDocuments, snapshotCollections } from '../../test/fault/fault-support';
import { setBoxWithSets } from '../../test/support/sets';

let server: TestServer;
let operator: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
  operator = await loginAs(server, await createStaff(server, 'sets-operator', 'operator'));
});
afterAll(async () => {
  await server?.stop();
});

test('an operator makes sets, sees each with its commitment and sold / held / free positions, and retires one through the set service', async () => {
  const { boxId } = await setBoxWithSets(server, 4, 1);
  const made = await operator.post<BoxSetList>('/sets', { boxId, count: 2 });
  expect(made.status).toBe(201);
  const sets = boxSetListSchema.parse(made.body).items;
  expect(sets.map((set) => [set.number, set.state, set.free, set.held, set.sold])).toEqual([
    [1, 'ON_SALE', 4, 0, 0],
    [2, 'ON_SALE', 4, 0, 0],
    [3, 'ON_SALE', 4, 0, 0],
  ]);
  expect(sets.every((set) => /^[0-9a-f]{64}$/.test(set.commitment))).toBe(true);

  // A position held for an unpaid order: the service refuses to retire that set, and the console says why.
  const shopper = await buyer(server, 'dev-sets-console');
  await shopper.orderNow([{ boxId, quantity: 1, setPick: { setId: sets[0]!.id, positions: [2] } }]);
  const busy = await operator.post<{ code: string; message: string }>(`/sets/${sets[0]!.id}/retire`);
  expect([busy.status, busy.body.code]).toEqual([409, 'SET_BUSY']);
  expect(busy.body.message).toContain('未付款');
  expect((await operator.get<BoxSetList>(`/sets?boxId=${boxId}`)).body.items[0]).toMatchObject({ state: 'ON_SALE', held: 1, free: 3 });

  const retired = boxSetSchema.parse((await operator.post<BoxSet>(`/sets/${sets[1]!.id}/retire`)).body);
  expect(retired.state).toBe('RETIRED');
  expect(retired.arrangement).toHaveLength(4);
  const [entry] = (await server.container.audit.find({ target: `set:${sets[1]!.id}`, from: new Date(0), to: new Date(Date.now() + 60_000) }, 0, 5)).entries;
  expect(entry).toMatchObject({ actor: 'staff:sets-operator', command: 'sets retire', before: { state: 'ON_SALE' }, after: { state: 'RETIRED' } });

  const notSets = await operator.post<{ code: string }>('/sets', { boxId: '0'.repeat(24), count: 1 });
  expect(notSets.status).toBe(404);
  expect((await operator.post<{ code: string }>('/sets', { boxId, count: 0 })).body.code).toBe('VALIDATION_ERROR');
});

test('support and viewers may look at sets but get 403 making or retiring one, and nothing changes', async () => {
  const { boxId, setIds } = await setBoxWithSets(server, 3, 1);
  const clients = [await loginAs(server, await createStaff(server, 'sets-support', 'support')), await loginAs(server, await createStaff(server, 'sets-viewer', 'viewer'))];
  const before = await snapshotCollections(server, ['boxsets', 'adminauditentries']);
  for (const [role, client] of [['support', clients[0]!], ['viewer', clients[1]!]] as const) {
    expect((await client.get(`/sets?boxId=${boxId}`)).status).toBe(200);
    for (const [path, body] of [['/sets', { boxId, count: 1 }], [`/sets/${setIds[0]}/retire`, {}]] as const) {
      const refused = await client.post<{ code: string }>(path, body);
      expect([role, path, refused.status, refused.body.code]).toEqual([role, path, 403, 'FORBIDDEN']);
    }
  }
  expect(changedDocuments(before, await snapshotCollections(server, ['boxsets', 'adminauditentries']))).toEqual([]);
});
