import { z } from 'zod';
import { MAX_QUANTITY_PER_ITEM } from './constants';
import { alipayPageResponseSchema, fenSchema, jsapiPayParamsSchema } from './api';
import { orderStatusSchema, paymentFailureReasonSchema, paymentStatusSchema } from './order-status';

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-character hex id');

/** An order takes at most this many lines, so a cart holds at most this many boxes. */
export const MAX_CART_LINES = 10;
/** A combined payment covers at least two and at most this many of the shopper's unpaid orders. */
export const MAX_COMBINED_ORDERS = 10;

const quantitySchema = z.number().int().min(1).max(MAX_QUANTITY_PER_ITEM);

// Cart: kept on the server per shopper; prices always come from the catalog when it is shown.
export const addCartLineRequestSchema = z.object({ boxId: objectId, quantity: quantitySchema.default(1) });
export type AddCartLineRequest = z.input<typeof addCartLineRequestSchema>;
export const setCartQuantityRequestSchema = z.object({ quantity: quantitySchema });
export type SetCartQuantityRequest = z.infer<typeof setCartQuantityRequestSchema>;

export const cartLineSchema = z.object({
  boxId: objectId,
  name: z.string(),
  coverUrl: z.string(),
  /** The catalog's price now, not when the line was added. */
  priceFen: fenSchema,
  quantity: quantitySchema,
  lineTotalFen: fenSchema,
  /** Units on sale now; false: the box is off sale or sold out, and checkout would be refused. */
  stock: z.number().int().min(0),
  /** The most units this line may hold: the box's purchase limit per shopper, within one order's maximum. */
  limit: z.number().int().min(1),
  /** False: off sale, not open yet, sold out, or over the limit; checkout would be refused. */
  available: z.boolean(),
});
export type CartLine = z.infer<typeof cartLineSchema>;

export const cartSchema = z.object({
  lines: z.array(cartLineSchema),
  /** Units in the cart. */
  count: z.number().int().min(0),
  /** What the lines cost at today's prices, before any coupon (checkout prices the order again). */
  totalFen: fenSchema,
});
export type Cart = z.infer<typeof cartSchema>;

export const cartCheckoutRequestSchema = z.object({ addressId: objectId, couponId: objectId.optional() });
export type CartCheckoutRequest = z.infer<typeof cartCheckoutRequestSchema>;

// Combined payment: one channel transaction for several of the shopper's own unpaid orders.
export const combinedPaymentRequestSchema = z.object({
  orderIds: z
    .array(objectId)
    .min(2)
    .max(MAX_COMBINED_ORDERS)
    .refine((ids) => new Set(ids).size === ids.length, 'each order once'),
});
export type CombinedPaymentRequest = z.infer<typeof combinedPaymentRequestSchema>;

const combinedPaymentBase = z.object({
  id: objectId,
  orderIds: z.array(objectId),
  /** The sum of the orders' totals as stored: what the one transaction charges. */
  totalFen: fenSchema,
});
export const combinedJsapiResponseSchema = combinedPaymentBase.extend({ params: jsapiPayParamsSchema });
export type CombinedJsapiResponse = z.infer<typeof combinedJsapiResponseSchema>;
export const combinedNativeResponseSchema = combinedPaymentBase.extend({ codeUrl: z.string(), qrDataUrl: z.string().startsWith('data:image/') });
export type CombinedNativeResponse = z.infer<typeof combinedNativeResponseSchema>;
/** Alipay page pay (H5/PC): `paymentId` is the combined payment's out_trade_no. */
export const combinedAlipayResponseSchema = combinedPaymentBase.extend(alipayPageResponseSchema.shape);
export type CombinedAlipayResponse = z.infer<typeof combinedAlipayResponseSchema>;

/**
 * What a shopper polls after paying several orders at once. PENDING until the money is in and every member has
 * been fulfilled or refunded its share (a member closed before the payment came is refunded, not drawn);
 * FAILED (reason CLOSED): the payment was closed unpaid and its orders released. The same three words as an
 * order's payment-status.
 */
export const combinedPaymentStatusSchema = z.object({
  id: objectId,
  status: paymentStatusSchema,
  /** CLOSED when FAILED; null otherwise. */
  reason: paymentFailureReasonSchema.nullable(),
  paidAt: z.iso.datetime({ offset: true }).nullable(),
  totalFen: fenSchema,
  orders: z.array(z.object({ orderId: objectId, amountFen: fenSchema, status: orderStatusSchema })),
});
export type CombinedPaymentStatus = z.infer<typeof combinedPaymentStatusSchema>;
