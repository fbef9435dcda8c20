import type { Connection } from 'mongoose';
import type { Config } from '../config';
import { serverSeeds, type ServerSeeds } from './server-seeds';
import { orderDraws, type OrderDraws, type OrderDrawsDeps } from './order-draws';
import { drawLog, type DrawLog } from './draw-log';

export interface Fairness {
  seeds: ServerSeeds;
  draws: OrderDraws;
  /** The public draw log every settled draw joins. */
  log: DrawLog;
}

/** `stock`: the item counts draws take from and the sets whose committed designs they deliver (built in the container). */
export function fairness(db: Connection, config: Pick<Config, 'FAIR_SEED_ROTATE_HOURS' | 'GUARANTEE_WAIT_MS'>, stock: Pick<OrderDrawsDeps, 'items' | 'sets'>): Fairness {
  const seeds = serverSeeds(db, { rotateEveryMs: config.FAIR_SEED_ROTATE_HOURS * 3600_000 });
  const log = drawLog(db);
  return { seeds, log, draws: orderDraws({ db, seeds, ...stock, log, waitForCounterMs: config.GUARANTEE_WAIT_MS }) };
}
