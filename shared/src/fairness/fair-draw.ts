// The provably fair draw, shared by the server (which draws with it), the mini-program's proof page and
// server/tools/verify-draw.ts (which recompute it). Zod-free and dependency-free so the mini-program can import it.
import { RARITIES, type RarityName } from '../constants';
import { hmacSha256, sha256, toHex, utf8 } from './sha256';

export interface FairProduct {
  productId: string;
  rarity: RarityName;
  /** Positive integer weight; the chance of a product is weight / sum of weights. */
  weight: number;
}

/** "At least one item of rarity ≥ minRarity within `within` consecutive draws of this box by one shopper." */
export interface GuaranteeRule {
  minRarity: RarityName;
  within: number;
}

/**
 * What the HMAC message names besides the client seed (docs/fairness.md "Messages"). Version 2: the shopper's
 * own sequence number for the box (`nonce`, one per order line, taken when the line is drawn) and the unit's
 * place in its line: nothing the server picks after the seed's commitment. Version 1 (draws made before it):
 * the order id, which the server makes, and the unit's place among the order's draws.
 */
export type MessageKey = { version: 1; orderId: string; unitIndex: number } | { version: 2; nonce: number; unit: number };

export interface DrawInputs {
  serverSeed: string;
  clientSeed: string;
  /** Every unit has its own message. */
  key: MessageKey;
  products: readonly FairProduct[];
  guarantee: GuaranteeRule | null;
  /** Consecutive draws of this box by this shopper without a guaranteed-rarity item, before this one. */
  missesBefore: number;
  /**
   * Products that had run out when this unit was drawn: they take no tickets, so the odds are the published
   * weights of what was still in stock. Absent (draws made before per-item stock): none.
   */
  exhausted?: readonly string[];
}

export interface DrawOutcome {
  productId: string;
  /** The guarantee picked among the eligible products only, because `missesBefore` reached within − 1. */
  forced: boolean;
  /** The uniform integer in [0, total) that chose the product, and the total weight it was taken below. */
  ticket: number;
  total: number;
  /** Consecutive misses after this draw (0 after an eligible item). */
  missesAfter: number;
}

const WORD_RANGE = 2 ** 32;

/**
 * A unit whose guarantee is due finds no item of the guaranteed rarity left. Never drawn: such a unit is not
 * sold (docs/fairness.md "The guarantee"): an order that would need it is refused when placed, and one paid
 * in the same moment the last eligible item went is refunded in full instead of drawn.
 */
export class GuaranteeCannotBeKept extends Error {
  constructor(readonly unit: string) {
    super(`${unit}: the guarantee is due and every eligible item has run out`);
    this.name = 'GuaranteeCannotBeKept';
  }
}

/** What the published hash commits to: SHA-256 of the seed's text, in hex. */
export function seedHash(serverSeed: string): string {
  return toHex(sha256(utf8(serverSeed)));
}

/**
 * Round 0 signs `clientSeed:nonce:unit` (version 2) or `clientSeed:orderId:unitIndex` (version 1), numbers in
 * decimal; further rounds (needed only after rejections) append `:round`.
 */
export function drawMessage(clientSeed: string, key: MessageKey, round = 0): string {
  const base = key.version === 2 ? `${clientSeed}:${key.nonce}:${key.unit}` : `${clientSeed}:${key.orderId}:${key.unitIndex}`;
  return round === 0 ? base : `${base}:${round}`;
}

/** Names a unit in messages and errors: `nonce 7 unit 1` or `order … unit 3`. */
export const describeKey = (key: MessageKey) => (key.version === 2 ? `nonce ${key.nonce} unit ${key.unit}` : `order ${key.orderId} unit ${key.unitIndex}`);

/** A published proof's or log entry's message fields (`messageVersion` absent: version 1) as a MessageKey. */
export function messageKeyOf(fields: { messageVersion?: number | null; orderId?: string | null; unitIndex?: number | null; nonce?: number | null; unit?: number | null }): MessageKey {
  if (fields.messageVersion === 2) {
    if (fields.nonce == null || fields.unit == null) throw new RangeError('a version 2 message needs its nonce and unit');
    return { version: 2, nonce: fields.nonce, unit: fields.unit };
  }
  if (fields.orderId == null || fields.unitIndex == null) throw new RangeError('a version 1 message needs its order id and unit index');
  return { version: 1, orderId: fields.orderId, unitIndex: fields.unitIndex };
}

/**
 * A uniform integer in [0, total) from the HMAC stream: each digest gives eight big-endian 32-bit words,
 * and a word at or above the largest multiple of `total` below 2^32 is rejected, so no ticket is likelier
 * than another (a plain `word % total` would favour the low tickets).
 */
export function uniformTicket(serverSeed: string, message: (round: number) => string, total: number): number {
  if (!Number.isInteger(total) || total < 1 || total > WORD_RANGE) throw new RangeError(`total weight ${total} out of range`);
  const limit = WORD_RANGE - (WORD_RANGE % total);
  const key = utf8(serverSeed);
  for (let round = 0; ; round++) {
    const digest = hmacSha256(key, utf8(message(round)));
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    for (let offset = 0; offset < digest.length; offset += 4) {
      const word = view.getUint32(offset);
      if (word < limit) return word % total;
    }
  }
}

export const meetsRarity = (rarity: RarityName, minRarity: RarityName) => RARITIES.indexOf(rarity) >= RARITIES.indexOf(minRarity);

/** Products in published order, each owning its `tickets` consecutive tickets (by default its weight). */
export function pickByTicket(products: readonly FairProduct[], ticket: number, odds: readonly OddsRow[] = drawOdds(products)): FairProduct {
  let rest = ticket;
  for (const [index, product] of products.entries()) {
    const tickets = odds[index]?.tickets ?? 0;
    if (rest < tickets) return product;
    rest -= tickets;
  }
  throw new RangeError('ticket beyond the total weight');
}

/** One product's share of a draw: `tickets` of `total` (0 tickets: out of stock, or not eligible for a forced draw). */
export interface OddsRow {
  productId: string;
  tickets: number;
  total: number;
}

/**
 * The odds a draw uses, in published order: the one function behind the box page, the rules page, the draw
 * and the verifier, so what is shown is what is drawn. An exhausted product takes no tickets; a forced draw
 * (`forcedBy` given) gives tickets only to products of its rarity or rarer. `total` is 0 when nothing can be drawn.
 */
export function drawOdds(products: readonly FairProduct[], exhausted: readonly string[] = [], forcedBy: GuaranteeRule | null = null): OddsRow[] {
  const gone = new Set(exhausted);
  const ticketsOf = (product: FairProduct) => (gone.has(product.productId) || (forcedBy !== null && !meetsRarity(product.rarity, forcedBy.minRarity)) ? 0 : product.weight);
  const total = products.reduce((sum, product) => sum + ticketsOf(product), 0);
  return products.map((product) => ({ productId: product.productId, tickets: ticketsOf(product), total }));
}

/**
 * One unit's draw: deterministic in its inputs, so anyone holding them gets the same product. A due guarantee
 * whose eligible products have all run out throws GuaranteeCannotBeKept: the unit is never drawn unforced
 * (that was the lapse of issue 28), its order is refused or refunded instead.
 */
export function fairDraw(inputs: DrawInputs): DrawOutcome {
  const { guarantee } = inputs;
  const forced = guarantee !== null && inputs.missesBefore >= guarantee.within - 1;
  const odds = drawOdds(inputs.products, inputs.exhausted ?? [], forced ? guarantee : null);
  const total = odds[0]?.total ?? 0;
  if (total === 0 && forced) throw new GuaranteeCannotBeKept(describeKey(inputs.key));
  if (total === 0) throw new RangeError('every product has run out');
  const ticket = uniformTicket(inputs.serverSeed, (round) => drawMessage(inputs.clientSeed, inputs.key, round), total);
  const product = pickByTicket(inputs.products, ticket, odds);
  const hit = guarantee !== null && meetsRarity(product.rarity, guarantee.minRarity);
  return { productId: product.productId, forced, ticket, total, missesAfter: guarantee === null ? 0 : hit ? 0 : inputs.missesBefore + 1 };
}

/** The public facts of one recorded draw, as the proof endpoint returns them. */
export interface DrawProofInputs extends Omit<DrawInputs, 'serverSeed'> {
  serverSeed: string | null;
  serverSeedHash: string;
  recordedProductId: string;
  recordedForced: boolean;
}

export type VerifyResult =
  | { ok: true; productId: string; forced: boolean }
  | { ok: false; reason: 'SEED_NOT_REVEALED' | 'SEED_HASH_MISMATCH' | 'PRODUCT_MISMATCH' | 'FORCED_MISMATCH'; expected?: string };

/** Checks the seed against its commitment, then recomputes the draw and compares it with what was recorded. */
export function verifyDraw(proof: DrawProofInputs): VerifyResult {
  if (proof.serverSeed === null) return { ok: false, reason: 'SEED_NOT_REVEALED' };
  if (seedHash(proof.serverSeed) !== proof.serverSeedHash) return { ok: false, reason: 'SEED_HASH_MISMATCH' };
  const outcome = fairDraw({ ...proof, serverSeed: proof.serverSeed });
  if (outcome.productId !== proof.recordedProductId) return { ok: false, reason: 'PRODUCT_MISMATCH', expected: outcome.productId };
  if (outcome.forced !== proof.recordedForced) return { ok: false, reason: 'FORCED_MISMATCH', expected: outcome.productId };
  return { ok: true, productId: outcome.productId, forced: outcome.forced };
}
