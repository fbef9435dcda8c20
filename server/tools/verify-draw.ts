/**
 * A box's whole public log, fetched from a running server, every draw recomputed (docs/fairness.md "Checking a
 * box's log"): the draws, each shopper's chain and sequence numbers, the seeds against their published history,
 * and for a whole-set box every set and the block and retire rules.
 *
 *   npm run verify-draw -- --server http://127.0.0.1:3000 --box <boxId>
 *
 * Or recomputes draws from their published proofs, with no server: the JSON that GET /api/proofs/:orderId/:unit
 * returns (one object, or an array of them), from a file or stdin. A whole set as GET /api/sets/:setId returns
 * it (after it sold out) is checked too: its arrangement and salt against its commitment, every sale against
 * its position, and the arrangement against the series rule.
 *
 *   npx tsx server/tools/verify-draw.ts proof.json
 *   curl -H "authorization: Bearer …" http://127.0.0.1:3000/api/proofs/<orderId>/0 | npx tsx server/tools/verify-draw.ts
 *
 * Prints the product each draw yields and whether it matches the recorded one; exits 1 if any does not.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  boxSetPageSchema,
  boxSetSchema,
  drawLogPageSchema,
  drawProofSchema,
  messageKeyOf,
  seedHistoryPageSchema,
  verifyBoxLog,
  verifyDraw,
  verifySet,
  verifySetBlocks,
  type BoxSet,
  type DrawLogEntry,
  type DrawProof,
  type PublicSeed,
  type SetVerifyResult,
  type VerifyResult,
} from '@blindbox/shared';

export interface VerifiedProof {
  proof: DrawProof;
  result: VerifyResult;
}

export function verifyProofs(input: unknown): VerifiedProof[] {
  const proofs = (Array.isArray(input) ? input : [input]).map((proof) => drawProofSchema.parse(proof));
  return proofs.map((proof) => ({
    proof,
    result: verifyDraw({ ...proof, key: messageKeyOf(proof), recordedProductId: proof.productId, recordedForced: proof.forced }),
  }));
}

export function describeVerified({ proof, result }: VerifiedProof): string {
  const unit = `order ${proof.orderId} unit ${proof.unitIndex}`;
  if (result.ok) return `OK        ${unit}: ${result.productId}${result.forced ? ` (forced by the guarantee: ${proof.missesBefore} draws without ${proof.guarantee?.minRarity} or better)` : ''}`;
  if (result.reason === 'SEED_NOT_REVEALED') return `PENDING   ${unit}: the server seed ${proof.seedId} is not revealed yet (hash ${proof.serverSeedHash})`;
  if (result.reason === 'SEED_HASH_MISMATCH') return `MISMATCH  ${unit}: SHA-256 of the revealed seed is not the published hash ${proof.serverSeedHash}`;
  return `MISMATCH  ${unit}: recorded ${proof.productId}${proof.forced ? ' (forced)' : ''}, recomputed ${result.expected ?? '?'} (${result.reason})`;
}

export interface VerifiedSet {
  set: BoxSet;
  result: SetVerifyResult;
}

export function verifySetJson(input: unknown): VerifiedSet {
  const set = boxSetSchema.parse(input);
  return { set, result: verifySet(set) };
}

export function describeVerifiedSet({ set, result }: VerifiedSet): string {
  const name = `set ${set.id} (#${set.number})`;
  if (result.ok) return `OK        ${name}: arrangement and salt match commitment ${set.commitment}; ${set.sales?.length ?? 0} sale(s) match their positions`;
  if (result.reason === 'NOT_REVEALED') return `PENDING   ${name}: still on sale, arrangement not published (commitment ${set.commitment})`;
  return `MISMATCH  ${name}: ${result.reason}${result.position !== undefined ? ` at position ${result.position}` : ''}`;
}

/** Every page of a paged public list, following its cursor until it says there is no more. */
async function allPages<T, P extends { items: T[] }>(url: (cursor: number | null) => string, schema: z.ZodType<P>, next: (page: P) => number | null): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: number | null = null; ; ) {
    const response = await fetch(url(cursor));
    if (!response.ok) throw new Error(`${url(cursor)}: HTTP ${response.status}`);
    const page = schema.parse(await response.json());
    items.push(...page.items);
    cursor = next(page);
    if (cursor === null) return items;
  }
}

export interface BoxVerification {
  entries: DrawLogEntry[];
  sets: BoxSet[];
  /** One line per draw, per set and per block, and one per broken chain or sequence; `ok` when every check passed. */
  lines: string[];
  ok: boolean;
}

/** Fetches the box's whole public log, seed history and sets from `server` and checks all of it. */
export async function verifyBoxFromServer(server: string, boxId: string): Promise<BoxVerification> {
  const base = `${server.replace(/\/$/, '')}/api/fairness/boxes/${boxId}`;
  const entries = await allPages<DrawLogEntry, z.infer<typeof drawLogPageSchema>>((after) => `${base}/draws?limit=500&after=${after ?? 0}`, drawLogPageSchema, (page) => page.nextAfter);
  const seeds = await allPages<PublicSeed, z.infer<typeof seedHistoryPageSchema>>((before) => `${base}/seeds?limit=500${before === null ? '' : `&before=${before}`}`, seedHistoryPageSchema, (page) => page.nextBefore);
  const sets = await allPages<BoxSet, z.infer<typeof boxSetPageSchema>>((after) => `${base}/sets?limit=500&after=${after ?? 0}`, boxSetPageSchema, (page) => page.nextAfter);
  const draws = verifyBoxLog(entries, seeds);
  const setResults = sets.map((set) => ({ set, result: verifySet(set) }));
  const blocks = verifySetBlocks(sets);
  const lines = [
    `box ${boxId}: ${entries.length} draw(s) in the log, ${seeds.length} seed(s) published, ${sets.length} set(s)`,
    ...draws.map((finding) => `${finding.verdict.padEnd(10)}${finding.text}`),
    ...setResults.map(describeVerifiedSet),
    ...blocks.map((finding) => `${(finding.ok ? 'OK' : 'MISMATCH').padEnd(10)}${finding.text}`),
  ];
  const ok = draws.every((finding) => finding.verdict === 'OK') && setResults.every((entry) => entry.result.ok) && blocks.every((finding) => finding.ok);
  return { entries, sets, lines, ok };
}

const isSetJson = (entry: unknown) => typeof entry === 'object' && entry !== null && 'commitment' in entry && 'grid' in entry;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const server = option('--server');
  if (server) {
    const boxId = option('--box');
    if (!boxId) throw new Error('--server needs --box <boxId>');
    const { lines, ok } = await verifyBoxFromServer(server, boxId);
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.exitCode = ok ? 0 : 1;
    return;
  }
  const [file] = args;
  const text = readFileSync(file && file !== '-' ? file : 0, 'utf8');
  const input: unknown = JSON.parse(text);
  const entries = Array.isArray(input) ? input : [input];
  const sets = entries.filter(isSetJson).map(verifySetJson);
  const draws = verifyProofs(entries.filter((entry) => !isSetJson(entry)));
  for (const entry of sets) process.stdout.write(`${describeVerifiedSet(entry)}\n`);
  for (const entry of draws) process.stdout.write(`${describeVerified(entry)}\n`);
  process.exitCode = [...sets, ...draws].every((entry) => entry.result.ok) ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
