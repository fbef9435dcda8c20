import type { Connection, Types } from 'mongoose';
import { assertFen } from '@blindbox/shared';
import { couponModel, type CouponDoc } from './coupon.model';

export interface CouponGrant {
  title: string;
  /** Fen off; 0 when `percentOffBp` is set. */
  amountOffFen: number;
  percentOffBp?: number | null;
  maxOffFen?: number | null;
  templateCode?: string | null;
  minSpendFen: number;
  expiresAt: Date;
}

/** Gives a user a new AVAILABLE coupon. Callers decide when a grant is due; this never deduplicates. */
export async function grantCoupon(db: Connection, userId: Types.ObjectId, grant: CouponGrant): Promise<CouponDoc> {
  const created = await couponModel(db).create({
    userId,
    title: grant.title,
    amountOffFen: assertFen(grant.amountOffFen),
    percentOffBp: grant.percentOffBp ?? null,
    maxOffFen: grant.maxOffFen === null || grant.maxOffFen === undefined ? null : assertFen(grant.maxOffFen),
    templateCode: grant.templateCode ?? null,
    minSpendFen: assertFen(grant.minSpendFen),
    expiresAt: grant.expiresAt,
    state: 'AVAILABLE',
    orderId: null,
  });
  return created.toObject();
}
