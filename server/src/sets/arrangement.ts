import { randomBytes, randomInt } from 'node:crypto';
import { setCommitment } from '@blindbox/shared';
import type { BoxDoc } from '../catalog/box.model';

/** The series a SETS box is made of: each regular design once per set; secret designs only replace one. */
export function seriesOf(box: Pick<BoxDoc, 'products'>): { regular: string[]; secret: string[] } {
  return {
    regular: box.products.filter((product) => product.rarity !== 'SECRET').map((product) => product.productId),
    secret: box.products.filter((product) => product.rarity === 'SECRET').map((product) => product.productId),
  };
}

/** Fisher–Yates with a cryptographic generator: every order of the positions equally likely, none predictable. */
function shuffled<T>(items: readonly T[]): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = randomInt(index + 1);
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

export interface Arrangement {
  arrangement: string[];
  salt: string;
  commitment: string;
  hasSecret: boolean;
}

/** A new set: the regular designs shuffled, one position replaced by a (random) secret design if `withSecret`. */
export function arrange(series: { regular: readonly string[]; secret: readonly string[] }, withSecret: boolean): Arrangement {
  const arrangement = shuffled(series.regular);
  const hasSecret = withSecret && series.secret.length > 0;
  if (hasSecret) arrangement[randomInt(arrangement.length)] = series.secret[randomInt(series.secret.length)] as string;
  const salt = randomBytes(16).toString('hex');
  return { arrangement, salt, commitment: setCommitment(arrangement, salt), hasSecret };
}

/**
 * "1 of every N sets has a secret": sets are taken in blocks of N numbers, and exactly one set of each block
 * gets it, uniformly: set `number` gets it with probability 1 / (sets of the block not yet created,
 * itself included) unless an earlier set of the block already has it (the last one then surely does).
 */
export function secretDrawFor(number: number, secretEvery: number | null, blockHasSecret: boolean): boolean {
  if (!secretEvery || blockHasSecret) return false;
  const remaining = secretEvery - (number - blockStartOf(number, secretEvery));
  return randomInt(remaining) === 0;
}

export function blockStartOf(number: number, secretEvery: number): number {
  return Math.floor((number - 1) / secretEvery) * secretEvery + 1;
}
