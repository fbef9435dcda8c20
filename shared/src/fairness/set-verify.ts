// Whole-set boxes (端盒): the commitment a set is sold under, and the check anyone can run once its
// arrangement is published. Zod-free and dependency-free, like fair-draw.ts, so the mini-program, the
// server and server/tools/verify-draw.ts share one implementation.
import { sha256, toHex, utf8 } from './sha256';

/**
 * The bytes the commitment hashes: the arrangement as a JSON array of product ids (position 0 first), then
 * the salt. JSON makes the split unambiguous whatever a product id contains; the salt is random hex.
 */
export function setCommitmentMessage(arrangement: readonly string[], salt: string): string {
  return `${JSON.stringify(arrangement)}${salt}`;
}

/** SHA-256(arrangement ‖ salt) in hex: published when the set is created, before any position can be sold. */
export function setCommitment(arrangement: readonly string[], salt: string): string {
  return toHex(sha256(utf8(setCommitmentMessage(arrangement, salt))));
}

export interface SetSale {
  position: number;
  productId: string;
}

export interface SetVerifyInputs {
  commitment: string;
  positions: number;
  /** Null until the set sold out or was retired. */
  arrangement: readonly string[] | null;
  salt: string | null;
  /** Every sale recorded from the set: which design each sold position delivered (null until revealed). */
  sales: readonly SetSale[] | null;
  /** The series' rule, when known: each regular design exactly once, at most one replaced by a secret design. */
  series?: { regular: readonly string[]; secret: readonly string[] };
}

export type SetVerifyResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'NOT_REVEALED' | 'COMMITMENT_MISMATCH' | 'WRONG_SIZE' | 'NOT_THE_SERIES' | 'UNKNOWN_POSITION' | 'SOLD_TWICE' | 'SALE_MISMATCH';
      position?: number;
    };

/** Whether the arrangement is the series' line-up: every regular design once, or once but one replaced by a secret. */
function followsSeries(arrangement: readonly string[], series: NonNullable<SetVerifyInputs['series']>): boolean {
  const missing = series.regular.filter((productId) => !arrangement.includes(productId));
  const extra = arrangement.filter((productId) => !series.regular.includes(productId));
  if (new Set(arrangement).size !== arrangement.length) return false;
  if (missing.length === 0 && extra.length === 0) return true;
  return missing.length === 1 && extra.length === 1 && series.secret.includes(extra[0] as string);
}

/**
 * The published arrangement and salt hash to the commitment published before the sale, and every recorded
 * sale delivered the design at its position: the server could not have rearranged the set as it sold.
 */
export function verifySet(inputs: SetVerifyInputs): SetVerifyResult {
  const { arrangement, salt } = inputs;
  if (arrangement === null || salt === null || inputs.sales === null) return { ok: false, reason: 'NOT_REVEALED' };
  if (setCommitment(arrangement, salt) !== inputs.commitment) return { ok: false, reason: 'COMMITMENT_MISMATCH' };
  if (arrangement.length !== inputs.positions) return { ok: false, reason: 'WRONG_SIZE' };
  if (inputs.series && !followsSeries(arrangement, inputs.series)) return { ok: false, reason: 'NOT_THE_SERIES' };
  const sold = new Set<number>();
  for (const sale of inputs.sales) {
    if (!Number.isInteger(sale.position) || sale.position < 0 || sale.position >= arrangement.length) return { ok: false, reason: 'UNKNOWN_POSITION', position: sale.position };
    if (sold.has(sale.position)) return { ok: false, reason: 'SOLD_TWICE', position: sale.position };
    sold.add(sale.position);
    if (arrangement[sale.position] !== sale.productId) return { ok: false, reason: 'SALE_MISMATCH', position: sale.position };
  }
  return { ok: true };
}

/** How a published sale names its order without showing the id: a shopper finds their own sale by hashing theirs. */
export function saleRef(orderId: string, position: number): string {
  return toHex(sha256(utf8(`${orderId}:${position}`))).slice(0, 16);
}

/** A published set as the block checks read it (GET /api/sets/:setId). */
export interface SetBlockInputs {
  number: number;
  state: string;
  arrangement: readonly string[] | null;
  sales: readonly SetSale[] | null;
  series: { secret: readonly string[] };
  secretEvery: number | null;
}

export interface SetBlockFinding {
  number: number;
  ok: boolean;
  text: string;
}

/**
 * The rules across a box's sets (docs/fairness.md "Whole sets"): at most one set of each block of `secretEvery`
 * carries a secret design, and a retired set never took an unsold secret off sale (its secret's position is
 * among its sales). Sets not revealed yet are skipped: their turn comes when they sell out or are retired.
 */
export function verifySetBlocks(sets: readonly SetBlockInputs[]): SetBlockFinding[] {
  const findings: SetBlockFinding[] = [];
  const secretSets = new Map<number, number[]>();
  for (const set of sets) {
    if (set.arrangement === null) continue;
    const secretAt = set.arrangement.flatMap((productId, position) => (set.series.secret.includes(productId) ? [position] : []));
    if (secretAt.length === 0) continue;
    if (set.secretEvery === null) findings.push({ number: set.number, ok: false, text: `set #${set.number} carries a secret design but the box's sets carry none` });
    else {
      const block = Math.floor((set.number - 1) / set.secretEvery);
      secretSets.set(block, [...(secretSets.get(block) ?? []), set.number]);
    }
    const unsold = secretAt.filter((position) => !(set.sales ?? []).some((sale) => sale.position === position));
    if (set.state === 'RETIRED' && unsold.length > 0) findings.push({ number: set.number, ok: false, text: `set #${set.number} was retired with its secret design unsold (position ${unsold.join(', ')})` });
  }
  for (const [block, numbers] of secretSets) {
    const every = sets.find((set) => set.number === numbers[0])?.secretEvery ?? 1;
    const span = `sets ${block * every + 1}–${(block + 1) * every}`;
    findings.push(numbers.length > 1 ? { number: numbers[0] as number, ok: false, text: `block ${span}: ${numbers.length} sets carry a secret (#${numbers.join(', #')})` } : { number: numbers[0] as number, ok: true, text: `block ${span}: one secret, in set #${numbers[0]}` });
  }
  return findings;
}
