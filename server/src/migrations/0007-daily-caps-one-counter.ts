import type { Migration } from './migration';

interface Counter {
  _id: string;
  units: number;
  orders: string[];
  pending: string[];
  kind?: string;
  checkAt?: Date;
  parts?: Record<string, number>;
}

/**
 * A shopper's daily caps were a spend counter (`daily-spend:<day>:<userId>`) and a draws counter per box
 * (`daily-draws:<day>:<boxId>:<userId>`), two or more writes per order; they become one counter per shopper and
 * day (`daily:<day>:<userId>`: spend in `units`, draws per box in `parts`), taken in one write
 * (limits/daily-limits.ts). Each day's counters are folded into one: the units, the orders counted, and every
 * pending order's token carrying its draws per box (`<orderId>:<fen>:<boxId>=<units>,…`) so a give-back or the
 * sweep returns both. Idempotent: the new counter is only inserted, never changed, and the old ones are deleted
 * after it exists (a second run finds only what a crash left and deletes it).
 */
export const dailyCapsOneCounter: Migration = {
  name: '0007-daily-caps-one-counter',
  summary: "a shopper's daily spend and per-box draw counters become one counter per shopper and day (one write per order)",
  async up({ db }) {
    const counters = db.useDb(`${db.name}_stock`, { useCache: true }).db!.collection<Counter>('purchasequotas');
    const days = new Map<string, { spend: Counter | null; draws: Array<{ boxId: string; counter: Counter }> }>();
    const dayOf = (key: string) => days.get(key) ?? days.set(key, { spend: null, draws: [] }).get(key)!;
    for await (const counter of counters.find({ kind: 'daily' })) {
      const [prefix, day, first, second] = counter._id.split(':');
      if (prefix === 'daily-spend') dayOf(`${day}:${first}`).spend = counter;
      if (prefix === 'daily-draws') dayOf(`${day}:${second}`).draws.push({ boxId: first as string, counter });
    }
    const orderOf = (token: string) => token.split(':')[0];
    for (const [key, { spend, draws }] of days) {
      const pending = (spend?.pending ?? []).map((token) => {
        const parts = draws.flatMap(({ boxId, counter }) => counter.pending.filter((taken) => orderOf(taken) === orderOf(token)).map((taken) => `${boxId}=${taken.split(':')[1]}`));
        return parts.length > 0 ? `${token}:${parts.join(',')}` : token;
      });
      const checkAts = [spend, ...draws.map(({ counter }) => counter)].flatMap((counter) => (counter?.checkAt ? [counter.checkAt.getTime()] : []));
      await counters.updateOne(
        { _id: `daily:${key}` },
        {
          $setOnInsert: {
            units: spend?.units ?? 0,
            parts: Object.fromEntries(draws.map(({ boxId, counter }) => [boxId, counter.units])),
            orders: [...new Set([...(spend?.orders ?? []), ...draws.flatMap(({ counter }) => counter.orders)])],
            pending,
            kind: 'daily',
            ...(pending.length > 0 && checkAts.length > 0 ? { checkAt: new Date(Math.min(...checkAts)) } : {}),
          },
        },
        { upsert: true },
      );
      await counters.deleteMany({ _id: { $in: [...(spend ? [spend._id] : []), ...draws.map(({ counter }) => counter._id)] } });
    }
  },
};
