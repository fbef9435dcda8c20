import type { Connection } from 'mongoose';
import type { Config } from '../config';
import { serverSeeds, type ServerSeeds } from './server-seeds';
import { orderDraws, type OrderDraws } from './order-draws';

export interface Fairness {
  seeds: ServerSeeds;
  draws: OrderDraws;
}

export function fairness(db: Connection, config: Pick<Config, 'FAIR_SEED_ROTATE_HOURS' | 'GUARANTEE_WAIT_MS'>): Fairness {
  const seeds = serverSeeds(db, { rotateEveryMs: config.FAIR_SEED_ROTATE_HOURS * 3600_000 });
  return { seeds, draws: orderDraws({ db, seeds, waitForCounterMs: config.GUARANTEE_WAIT_MS }) };
}
