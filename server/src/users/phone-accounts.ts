import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import type { Logger } from '../logger';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { orderModel } from '../orders/order.model';
import { maskedPhone } from '../sms/phone-codes';
import { phoneBindingModel, type PhoneBindingDoc } from './phone-binding.model';
import { newClientSeed, userModel, webOpenid, type UserDoc } from './user.model';
import { AccountsNotMergeable, PhoneAlreadyBound, PhoneBoundElsewhere } from './user-errors';
import { isWechatOpenid } from './user.model';

/**
 * One shopper on every screen: a phone number signs in the account it is bound to, on the web (SMS code) as in the
 * mini-program (WeChat's phone-number button). Binding a number that already signs in another account merges the
 * two only by the rule in docs/phone-sign-in.md: the account WITHOUT orders is folded into the one with them
 * (`mergedInto`), so every order, draw, guarantee counter, daily limit and age declaration stays exactly where it
 * was and nothing is added up. Two accounts that both have orders are never merged.
 */
export function phoneAccounts(db: Connection, logger: Logger) {
  const User = userModel(db);
  const Binding = phoneBindingModel(db);
  const Order = orderModel(db);
  const log = logger.child({ component: 'phone-accounts' });

  const hasOrders = async (userId: Types.ObjectId) => (await Order.exists({ userId })) !== null;

  /** The account a sign-in reaches: the one found, or the one it was folded into (never folded itself). */
  async function survivorOf(user: UserDoc): Promise<UserDoc> {
    if (!user.mergedInto) return user;
    const survivor = await User.findById(user.mergedInto).lean<UserDoc>();
    if (!survivor) throw new Error(`user ${user._id.toHexString()} was merged into ${user.mergedInto.toHexString()}, which does not exist`);
    return survivor;
  }

  async function bindingOf(phone: string): Promise<PhoneBindingDoc | null> {
    return Binding.findById(phone).lean<PhoneBindingDoc>();
  }

  /**
   * Folds `from` (no orders) into `into`. One guarded write marks it, then its orders are looked at again: an order
   * placed meanwhile undoes the mark and refuses (orders are refused once the mark is set, shopper-profile.ts).
   */
  async function fold(from: UserDoc, into: UserDoc, now: Date): Promise<void> {
    const marked = await User.updateOne({ _id: from._id, mergedInto: null }, { $set: { mergedInto: into._id, mergedAt: now } });
    if (marked.modifiedCount !== 1) throw new AccountsNotMergeable('the account is being merged already');
    if (await hasOrders(from._id)) {
      await User.updateOne({ _id: from._id, mergedInto: into._id }, { $set: { mergedInto: null, mergedAt: null } });
      throw new AccountsNotMergeable('both accounts have orders');
    }
  }

  /**
   * The account an SMS sign-in with `phone` reaches, made on first sign-in. The binding is written first, with
   * the new account's id, and the account after it: a crash in between leaves a binding whose account the next
   * sign-in makes. Of two parallel first sign-ins, the binding's unique _id lets one account exist.
   */
  async function signIn(phone: string, now: Date): Promise<{ user: UserDoc; created: boolean }> {
    let binding = await bindingOf(phone);
    if (!binding) {
      try {
        binding = (await Binding.create({ _id: phone, userId: new Types.ObjectId(), via: 'SMS', boundAt: now })).toObject();
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        binding = await bindingOf(phone);
        if (!binding) throw error;
      }
    }
    const result = await User.findOneAndUpdate(
      { _id: binding.userId },
      { $set: { lastLoginAt: now }, $setOnInsert: { openid: webOpenid(randomBytes(12).toString('hex')), unionid: null, age: null, clientSeed: newClientSeed(), mergedInto: null, mergedAt: null, createdAt: now } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
    );
    if (!result.value) throw new Error('phone user upsert returned no document');
    return { user: await survivorOf(result.value as UserDoc), created: result.lastErrorObject?.updatedExisting === false };
  }

  return {
    survivorOf,
    signIn,

    /** The number bound to this account, if any (masked for display by the caller). */
    async phoneOf(userId: Types.ObjectId): Promise<string | null> {
      return (await Binding.findOne({ userId }).lean<PhoneBindingDoc>())?._id ?? null;
    },

    /**
     * Binds `phone` (from WeChat's button) to the signed-in mini-program account `current`; answers the account the
     * shopper is from now on. An account with no orders is folded into the number's account (or the number's
     * account, if it has none, into this one); both with orders is refused, as is a number of another WeChat account.
     */
    async bindWechatPhone(current: UserDoc, phone: string, now: Date): Promise<{ user: UserDoc; merged: boolean }> {
      const own = await Binding.findOne({ userId: current._id }).lean<PhoneBindingDoc>();
      if (own) {
        if (own._id === phone) return { user: current, merged: false };
        throw new PhoneAlreadyBound('this account already has another number');
      }
      try {
        await Binding.create({ _id: phone, userId: current._id, via: 'WECHAT', boundAt: now });
        log.info({ event: 'phone.bound', userId: current._id.toHexString(), phone: maskedPhone(phone) }, 'phone number bound');
        return { user: current, merged: false };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const binding = await bindingOf(phone);
      if (!binding) throw new Error('phone binding vanished');
      // A binding whose account a crash left unmade is made here, as its next SMS sign-in would.
      const found = await User.findById(binding.userId).lean<UserDoc>();
      const owner = found ? await survivorOf(found) : (await signIn(phone, now)).user;
      if (owner._id.equals(current._id)) return { user: current, merged: false };
      // A number belongs to one WeChat account; folding one WeChat account into another would lose its openid.
      if (isWechatOpenid(owner.openid)) throw new PhoneBoundElsewhere('the number signs in another WeChat account');
      if (!(await hasOrders(current._id))) {
        await fold(current, owner, now);
        log.info({ event: 'phone.merged', from: current._id.toHexString(), into: owner._id.toHexString(), phone: maskedPhone(phone) }, 'mini-program account folded into the phone account');
        return { user: owner, merged: true };
      }
      if (!(await hasOrders(owner._id))) {
        await fold(owner, current, now);
        // The number now signs in here; until this write lands, its sign-ins reach here through mergedInto anyway.
        await Binding.updateOne({ _id: phone, userId: binding.userId }, { $set: { userId: current._id, via: 'WECHAT', boundAt: now } });
        log.info({ event: 'phone.merged', from: owner._id.toHexString(), into: current._id.toHexString(), phone: maskedPhone(phone) }, 'phone account folded into the mini-program account');
        return { user: current, merged: true };
      }
      throw new AccountsNotMergeable('both accounts have orders');
    },
  };
}

export type PhoneAccounts = ReturnType<typeof phoneAccounts>;
