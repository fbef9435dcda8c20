/**
 * Recomputes draws from their published proofs, with no server: the JSON that GET /api/proofs/:orderId/:unit
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
import { boxSetSchema, drawProofSchema, messageKeyOf, verifyDraw, verifySet, type BoxSet, type DrawProof, type SetVerifyResult, type VerifyResult } from '@blindbox/shared';

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

const isSetJson = (entry: unknown) => typeof entry === 'object' && entry !== null && 'commitment' in entry && 'grid' in entry;

function main(): void {
  const [file] = process.argv.slice(2);
  const text = readFileSync(file && file !== '-' ? file : 0, 'utf8');
  const input: unknown = JSON.parse(text);
  const entries = Array.isArray(input) ? input : [input];
  const sets = entries.filter(isSetJson).map(verifySetJson);
  const draws = verifyProofs(entries.filter((entry) => !isSetJson(entry)));
  for (const entry of sets) process.stdout.write(`${describeVerifiedSet(entry)}\n`);
  for (const entry of draws) process.stdout.write(`${describeVerified(entry)}\n`);
  process.exitCode = [...sets, ...draws].every((entry) => entry.result.ok) ? 0 : 1;
}

if (require.main === module) main();
