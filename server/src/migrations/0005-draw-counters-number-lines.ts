import { randomBytes } from 'node:crypto';
import type { Migration } from './migration';

/**
 * Draws sign the shopper's own sequence number for the box (message version 2, docs/fairness.md) and join the
 * box's public log under a random shopper name. Both live on the shopper's draw counter (the guarantee counter,
 * `<userId>:<boxId>` in the stock database): existing counters start numbering at 1 and get their name, and a
 * claim in flight gets the number its order will draw with. Idempotent: only counters without `nonces` change.
 */
export const drawCountersNumberLines: Migration = {
  name: '0005-draw-counters-number-lines',
  summary: 'shopper draw counters get a sequence number (the draw message\'s nonce) and an anonymous name for the public draw log',
  async up({ db }) {
    const counters = db.useDb(`${db.name}_stock`, { useCache: true }).db!.collection<{ _id: string; nonces?: number; pending?: { orderId: string } | null }>('guaranteecounters');
    for await (const counter of counters.find({ nonces: { $exists: false } })) {
      const tag = randomBytes(8).toString('hex');
      const set = counter.pending ? { nonces: 1, tag, 'pending.nonce': 1 } : { nonces: 0, tag };
      await counters.updateOne({ _id: counter._id, nonces: { $exists: false } }, { $set: set });
    }
  },
};
