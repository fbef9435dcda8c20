import { isObjectIdOrHexString, type Connection, type Types } from 'mongoose';
import type { AddressInput } from '@blindbox/shared';
import { addressModel, type AddressDoc } from './address.model';

export const MAX_ADDRESSES_PER_USER = 20;

export function addressFields(doc: Pick<AddressDoc, 'name' | 'phone' | 'region' | 'detail'>): AddressInput {
  return { name: doc.name, phone: doc.phone, region: doc.region, detail: doc.detail };
}

/** How a shopper's addresses are listed: oldest first. The first is the one the confirm page preselects. */
export const ADDRESS_LIST_ORDER = { _id: 1 } as const;

/** The shopper's first address (ADDRESS_LIST_ORDER), for an order placed without choosing one; null when they have none. */
export async function firstUserAddress(db: Connection, userId: Types.ObjectId | string): Promise<AddressInput | null> {
  const doc = await addressModel(db).findOne({ userId }).sort(ADDRESS_LIST_ORDER).lean();
  return doc ? addressFields(doc) : null;
}

/** The user's own address for an order's snapshot; null when the id is malformed, unknown or someone else's. */
export async function findUserAddress(
  db: Connection,
  userId: Types.ObjectId | string,
  addressId: Types.ObjectId | string,
): Promise<AddressInput | null> {
  if (!isObjectIdOrHexString(addressId)) return null;
  const doc = await addressModel(db).findOne({ _id: addressId, userId }).lean();
  return doc ? addressFields(doc) : null;
}
