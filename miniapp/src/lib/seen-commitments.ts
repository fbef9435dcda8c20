import type { Order } from '@blindbox/shared';
import Taro from '@tarojs/taro';

const KEY = 'seen-commitments';

type Seen = Record<string, string>;
const keyOf = (orderId: string, boxId: string) => `${orderId}:${boxId}`;
const load = (): Seen => Taro.getStorageSync<Seen>(KEY) || {};

/**
 * Keeps, on this device, the seed commitment each line of a new order named before it was paid: the proof page
 * checks the revealed seed against what the shopper saw then, not against a hash served with the reveal.
 */
export function rememberCommitments(order: Order): void {
  const seen = load();
  for (const item of order.items) if (item.commitment) seen[keyOf(order.id, item.boxId)] = item.commitment.serverSeedHash;
  Taro.setStorageSync(KEY, seen);
}

/** The hash this device saw when it placed the order, or null (placed elsewhere, or before commitments were named). */
export const seenCommitment = (orderId: string, boxId: string): string | null => load()[keyOf(orderId, boxId)] ?? null;
