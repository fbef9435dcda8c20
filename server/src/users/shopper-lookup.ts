import { Types, type Connection } from 'mongoose';
import type { ShopperMatch } from '@blindbox/shared';
import { orderModel } from '../orders/order.model';
import { userModel, type UserDoc } from './user.model';

const PHONE = /^1\d{10}$/;
const USER_ID = /^[0-9a-f]{24}$/i;
/** A phone shared by many accounts (a family's, a reseller's) is listed only this far. */
const MAX_MATCHES = 20;

/**
 * Shoppers staff name by what a shopper can tell them: a user id, a WeChat openid, or an 11-digit phone. The
 * account keeps no phone, so a phone finds the shoppers who gave it in an order's shipping address (through
 * the orders' `address.phone` index). Every lookup is one indexed read, or two.
 */
export async function findShoppers(db: Connection, query: string): Promise<ShopperMatch[]> {
  const q = query.trim();
  const User = userModel(db);
  const match = (user: UserDoc, matchedBy: ShopperMatch['matchedBy']): ShopperMatch => ({
    userId: user._id.toHexString(),
    openid: user.openid,
    matchedBy,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt.toISOString(),
  });
  if (USER_ID.test(q)) {
    const user = await User.findById(new Types.ObjectId(q)).lean<UserDoc>();
    return user ? [match(user, 'userId')] : [];
  }
  if (PHONE.test(q)) {
    const orders = await orderModel(db).find({ 'address.phone': q }).select({ userId: 1 }).limit(500).lean();
    const ids = [...new Map(orders.map((order) => [order.userId.toHexString(), order.userId])).values()].slice(0, MAX_MATCHES);
    if (ids.length === 0) return [];
    const users = await User.find({ _id: { $in: ids } }).lean<UserDoc[]>();
    return users.map((user) => match(user, 'phone'));
  }
  const user = await User.findOne({ openid: q }).lean<UserDoc>();
  return user ? [match(user, 'openid')] : [];
}
