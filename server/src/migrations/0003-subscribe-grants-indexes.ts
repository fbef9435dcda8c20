import type { Migration } from './migration';

/**
 * Subscribe grants (notifications/subscribe-grant.model.ts, in `<db>_notify`) arrive with this version. Their unique `ref` is what
 * keeps one event from spending two grants, so the collection and its indexes exist before the first grant is
 * written, rather than whenever a server's start gets round to building them. Written out here, not read from
 * the model, so this step stays what it was when it shipped.
 */
export const subscribeGrantsIndexes: Migration = {
  name: '0003-subscribe-grants-indexes',
  summary: 'subscribe grants: the collection and its indexes (unique ref) before the first grant',
  async up({ db }) {
    // The notifications' own database (db/databases.ts): `<db>_notify`.
    await db.useDb(`${db.name}_notify`, { useCache: true }).db!.collection('subscribegrants').createIndexes([
      { key: { ref: 1 }, name: 'ref_1', unique: true },
      { key: { openid: 1, kind: 1, state: 1, grantedAt: 1 }, name: 'openid_1_kind_1_state_1_grantedAt_1' },
      { key: { state: 1, kind: 1, opensAt: 1 }, name: 'state_1_kind_1_opensAt_1' },
      { key: { state: 1, dueAt: 1 }, name: 'state_1_dueAt_1' },
      { key: { state: 1, sendingAt: 1 }, name: 'state_1_sendingAt_1' },
      { key: { templateId: 1, state: 1 }, name: 'templateId_1_state_1' },
      { key: { boxId: 1, state: 1 }, name: 'boxId_1_state_1' },
    ]);
  },
};
