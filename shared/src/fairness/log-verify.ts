// The whole public draw log of a box, checked as an outside auditor would (docs/fairness.md "Checking a box's
// log"): every draw recomputed, every shopper's chain and sequence numbers followed, every seed held to its
// published commitment. Zod-free like fair-draw.ts; server/tools/verify-draw.ts runs it on a live server's log.
import { drawMessage, fairDraw, GuaranteeCannotBeKept, seedHash, type FairProduct, type GuaranteeRule, type MessageKey } from './fair-draw';

export interface LogEntryInputs {
  seq: number;
  shopper: string;
  nonce: number;
  unit: number;
  clientSeed: string;
  message: string;
  seedId: string;
  serverSeedHash: string;
  serverSeed: string | null;
  products: readonly FairProduct[];
  guarantee: GuaranteeRule | null;
  missesBefore: number;
  exhausted: readonly string[];
  forced: boolean;
  productId: string;
  drawnAt: string;
}

/** A seed as the box's published history lists it. */
export interface PublishedSeed {
  id: string;
  hash: string;
  committedAt: string;
}

export interface LogFinding {
  seq: number;
  verdict: 'OK' | 'PENDING' | 'MISMATCH';
  text: string;
}

const keyOf = (entry: LogEntryInputs): MessageKey => ({ version: 2, nonce: entry.nonce, unit: entry.unit });

/** One entry alone: its seed against its commitment, its message, its draw. `missesAfter` is null while its seed is not revealed. */
function checkEntry(entry: LogEntryInputs, seeds: ReadonlyMap<string, PublishedSeed> | null): { finding: LogFinding; missesAfter: number | null } {
  const at = (verdict: LogFinding['verdict'], text: string) => ({ seq: entry.seq, verdict, text: `#${entry.seq} shopper ${entry.shopper} nonce ${entry.nonce} unit ${entry.unit}: ${text}` });
  const published = seeds?.get(entry.seedId);
  if (seeds && !published) return { finding: at('MISMATCH', `seed ${entry.seedId} is not in the box's seed history`), missesAfter: null };
  if (published && published.hash !== entry.serverSeedHash) return { finding: at('MISMATCH', `seed ${entry.seedId}: the log's hash is not the published commitment`), missesAfter: null };
  if (published && !(Date.parse(published.committedAt) < Date.parse(entry.drawnAt))) return { finding: at('MISMATCH', `seed ${entry.seedId} was committed after the draw`), missesAfter: null };
  if (entry.message !== drawMessage(entry.clientSeed, keyOf(entry))) return { finding: at('MISMATCH', `message "${entry.message}" is not clientSeed:nonce:unit`), missesAfter: null };
  if (entry.serverSeed === null) return { finding: at('PENDING', `seed ${entry.seedId} not revealed yet`), missesAfter: null };
  if (seedHash(entry.serverSeed) !== entry.serverSeedHash) return { finding: at('MISMATCH', 'the revealed seed does not hash to its commitment'), missesAfter: null };
  try {
    const outcome = fairDraw({ ...entry, serverSeed: entry.serverSeed, key: keyOf(entry) });
    if (outcome.productId !== entry.productId || outcome.forced !== entry.forced) {
      return { finding: at('MISMATCH', `recorded ${entry.productId}${entry.forced ? ' (forced)' : ''}, recomputed ${outcome.productId}${outcome.forced ? ' (forced)' : ''}`), missesAfter: null };
    }
    return { finding: at('OK', `${outcome.productId}${outcome.forced ? ' (forced by the guarantee)' : ''}`), missesAfter: outcome.missesAfter };
  } catch (error) {
    if (error instanceof GuaranteeCannotBeKept) return { finding: at('MISMATCH', 'a due guarantee was drawn with no eligible item left (it must never be sold)'), missesAfter: null };
    throw error;
  }
}

/**
 * Checks a box's whole log, entries in log order. Besides each draw: `seq` only grows; per shopper, the lines
 * (nonces) only grow and never repeat, a line's units are 0, 1, 2, … in order, and each unit's `missesBefore`
 * is the `missesAfter` of the shopper's draw before it (the guarantee chain; refunds do not rewind it).
 * `seeds`: the box's published seed history, to hold each entry's hash to it (null: not checked).
 */
export function verifyBoxLog(entries: readonly LogEntryInputs[], seeds: readonly PublishedSeed[] | null): LogFinding[] {
  const seedMap = seeds ? new Map(seeds.map((seed) => [seed.id, seed])) : null;
  const findings: LogFinding[] = [];
  const last = new Map<string, { nonce: number; unit: number; missesAfter: number | null }>();
  const nonces = new Map<string, Set<number>>();
  let previousSeq = 0;
  for (const entry of entries) {
    const mismatch = (text: string) => findings.push({ seq: entry.seq, verdict: 'MISMATCH', text: `#${entry.seq} shopper ${entry.shopper} nonce ${entry.nonce} unit ${entry.unit}: ${text}` });
    if (entry.seq <= previousSeq) mismatch(`log sequence ${entry.seq} does not follow ${previousSeq}`);
    previousSeq = entry.seq;
    const { finding, missesAfter } = checkEntry(entry, seedMap);
    findings.push(finding);
    const before = last.get(entry.shopper);
    const seen = nonces.get(entry.shopper) ?? new Set<number>();
    if (before && entry.nonce === before.nonce) {
      if (entry.unit !== before.unit + 1) mismatch(`unit ${entry.unit} does not follow unit ${before.unit} of its line`);
    } else {
      if (seen.has(entry.nonce)) mismatch(`nonce ${entry.nonce} was used by another line of this shopper`);
      if (before && entry.nonce < before.nonce) mismatch(`nonce ${entry.nonce} comes after the shopper's nonce ${before.nonce}`);
      if (entry.unit !== 0) mismatch(`a line starts at unit ${entry.unit}, not 0`);
    }
    // A shopper's first entry: their count as it stood (0, or what draws made before the log began left).
    const expected = before ? before.missesAfter : null;
    if (entry.guarantee && expected !== null && entry.missesBefore !== expected) mismatch(`missesBefore ${entry.missesBefore}, but the shopper's previous draw left ${expected}`);
    seen.add(entry.nonce);
    nonces.set(entry.shopper, seen);
    last.set(entry.shopper, { nonce: entry.nonce, unit: entry.unit, missesAfter });
  }
  return findings;
}
