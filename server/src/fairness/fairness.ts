import type { Connection } from 'mongoose';
import type { Config } from '../config';
import { serverSeeds, type ServerSeeds } from './server-seeds';
import { orderDraws, type OrderDraws, type OrderDrawsDeps } from './order-draws';
import { drawLog, type DrawLog } from './draw-log';

/**
 * A taken seed's reveal waits this long past the order's payment deadline (at most: the deadline of a later
 * order may be the one that counts), so a drop's orders register their deadline about once per this step per
 * box and process instead of once each (server-seeds.ts takeForOrder).
 */
export const SEED_REVEAL_STEP_MS = 10_000;

export interface Fairness {
  seeds: ServerSeeds;
  draws: OrderDraws;
  /** The public draw log every settled draw joins. */
  log: DrawLog;
}

/** `stock`: the item counts draws take from and the sets whose committed designs they deliver (built in the container). */
export function fairness(db: Connection, config: Pick<Config, 'FAIR_SEED_ROTATE_HOURS' | 'GUARANTEE_WAIT_MS'>, stock: Pick<OrderDrawsDeps, 'items' | 'sets'>): Fairness {
  const seeds = serverSeeds(db, { rotateEveryMs: config.FAIR_SEED_ROTATE_HOURS * 3600_000, revealStepMs: SEED_REVEAL_STEP_MS });
  const log = drawLog(db);
  return { seeds, log, draws: orderDraws({ db, seeds, ...stock, log, waitForCounterMs: config.GUARANTEE_WAIT_MS }) };
}
