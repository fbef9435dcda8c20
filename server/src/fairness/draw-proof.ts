import { drawMessage, type DrawProof, type MessageKey } from '@blindbox/shared';
import type { OrderDoc } from '../orders/order.model';
import type { ServerSeedDoc } from './fairness.model';
import { expectedRevealOf, toPublicSeed } from './server-seeds';

/**
 * Everything needed to recompute one unit's draw, from the order (its snapshot of the box, client seed and
 * the unit's stored proof) and the seed document; the seed itself only once it is revealed.
 */
export function drawProofOf(order: OrderDoc, unitIndex: number, seed: ServerSeedDoc, now = new Date()): DrawProof | null {
  const draw = order.draws[unitIndex];
  const proof = draw?.proof;
  const item = draw && order.items.find((candidate) => candidate.boxId.equals(draw.boxId));
  if (!draw || !proof || !item) return null;
  const published = toPublicSeed(seed, now);
  const orderId = order._id.toHexString();
  const key: MessageKey = proof.messageVersion === 2 ? { version: 2, nonce: proof.nonce ?? 0, unit: proof.unit ?? 0 } : { version: 1, orderId, unitIndex };
  return {
    orderId,
    unitIndex,
    boxId: draw.boxId.toHexString(),
    clientSeed: order.clientSeed,
    seedId: proof.seedId,
    serverSeedHash: proof.serverSeedHash,
    seedCommittedAt: seed.committedAt.toISOString(),
    orderPlacedAt: order.createdAt.toISOString(),
    serverSeed: published.seed,
    revealedAt: published.revealedAt?.toISOString() ?? null,
    revealAfter: published.revealedAt ? null : expectedRevealOf(seed).toISOString(),
    products: item.products.map(({ productId, name, rarity, weight }) => ({ productId, name, rarity, weight })),
    guarantee: item.guarantee ?? null,
    missesBefore: proof.missesBefore,
    exhausted: proof.exhausted ?? [],
    forced: proof.forced,
    productId: draw.productId,
    drawnAt: proof.drawnAt.toISOString(),
    messageVersion: key.version,
    nonce: key.version === 2 ? key.nonce : null,
    unit: key.version === 2 ? key.unit : null,
    message: drawMessage(order.clientSeed, key),
  };
}
