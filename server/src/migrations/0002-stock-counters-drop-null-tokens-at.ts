import type { Migration } from './migration';

/**
 * Stock counters written by seeding or import before 0.2.0 stored `tokensAt: null`. The counter's token sweep
 * moves `tokensAt` with `$min`, which never moves a null, so a crash between a reservation's steps on such a box
 * was never healed. Unset, the field is set by the next step that leaves a token, as on every new counter.
 */
export const stockCountersDropNullTokensAt: Migration = {
  name: '0002-stock-counters-drop-null-tokens-at',
  summary: 'stock counters lose their null tokensAt, so the crash sweep sees their leftovers',
  async up({ db }) {
    await db.useDb(`${db.name}_stock`, { useCache: true }).db!.collection('stocks').updateMany({ tokensAt: null }, { $unset: { tokensAt: '' } });
  },
};
