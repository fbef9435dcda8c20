import { z } from 'zod';
import { MAX_FEN } from './money';
import { AGE_BRACKETS, CLIENT_SEED_PATTERN, MAX_QUANTITY_PER_ITEM, MAX_SET_POSITIONS, RARITIES, SALE_MODES } from './constants';
import { orderStatusSchema, paymentFailureReasonSchema, paymentStatusSchema } from './order-status';
import { hasUnsafeCharacters } from './safe-text';

export const fenSchema = z.number().int().min(0).max(MAX_FEN);

const isoDate = z.iso.datetime({ offset: true });
const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-character hex id');

export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** SOLD_OUT: when the first unpaid hold expires, i.e. when units may be back on sale (ISO time). */
  availableAgainAt: z.string().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const paginationQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(10),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}

// Auth
export const loginRequestSchema = z.object({ code: z.string().min(1).max(128) });
export type LoginRequest = z.infer<typeof loginRequestSchema>;
export const loginResponseSchema = z.object({
  token: z.string(),
  expiresAt: isoDate,
  user: z.object({ id: objectId }),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/**
 * A mainland China mobile number, as the shopper types it: spaces, dashes and a +86 / 0086 prefix are dropped,
 * leaving the 11 digits (1, then 3–9, then 9 more) that the server stores and the SMS provider is sent.
 */
export const mainlandPhoneSchema = z
  .string()
  .max(32)
  .transform((value) => value.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, 'must be a mainland China mobile number'));
export const smsCodeRequestSchema = z.object({ phone: mainlandPhoneSchema });
export type SmsCodeRequest = z.input<typeof smsCodeRequestSchema>;
/** The same answer whether or not the number belongs to a shopper (so it tells an attacker nothing). */
export const smsCodeResponseSchema = z.object({ resendAfterSeconds: z.number().int(), expiresInSeconds: z.number().int() });
export type SmsCodeResponse = z.infer<typeof smsCodeResponseSchema>;
export const phoneLoginRequestSchema = z.object({ phone: mainlandPhoneSchema, code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code') });
export type PhoneLoginRequest = z.input<typeof phoneLoginRequestSchema>;
/** The mini-program's getPhoneNumber button hands a one-time code; the server trades it with WeChat for the number. */
export const bindPhoneRequestSchema = z.object({ code: z.string().min(1).max(256) });
export type BindPhoneRequest = z.infer<typeof bindPhoneRequestSchema>;
/** After binding: the session to use from now on (another account's when this one was folded into it). */
export const bindPhoneResponseSchema = loginResponseSchema.extend({ phone: z.string(), merged: z.boolean() });
export type BindPhoneResponse = z.infer<typeof bindPhoneResponseSchema>;

// Catalog
export const raritySchema = z.enum(RARITIES);
export type Rarity = z.infer<typeof raritySchema>;

export const boxProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  rarity: raritySchema,
  imageUrl: z.string(),
  weight: z.number().int().positive(),
  /** 商品价值 in fen, published before purchase (compliance.ts); null while the merchant has not set it. */
  valueFen: fenSchema.nullable(),
  /**
   * The exact probability the draw uses now: weight / sum of the weights of the items still in stock (0 once
   * this one has run out). Orders keep the odds they were sold under.
   */
  odds: z.number().min(0).max(1),
  /** Every unit of this item has been drawn: no draw awards it any more. */
  soldOut: z.boolean().optional(),
});
export type BoxProduct = z.infer<typeof boxProductSchema>;

/** 保底: at least one item of rarity ≥ minRarity within `within` consecutive draws of the box by one shopper. */
export const guaranteeRuleSchema = z.object({ minRarity: raritySchema, within: z.number().int().min(1) });

export const saleModeSchema = z.enum(SALE_MODES);
export type SaleMode = z.infer<typeof saleModeSchema>;

export const boxSchema = z.object({
  id: objectId,
  /** How the box is sold: weighted draws, or whole sets whose positions the shopper picks (端盒). */
  saleMode: saleModeSchema.default('WEIGHTED'),
  name: z.string(),
  description: z.string(),
  coverUrl: z.string(),
  priceFen: fenSchema,
  stock: z.number().int().min(0),
  /** Units one shopper may buy of this box in the current drop. */
  purchaseLimit: z.number().int().min(1),
  /** Minutes an order of this box stays payable before its units go back on sale. */
  paymentWindowMinutes: z.number().int().min(1),
  guarantee: guaranteeRuleSchema.nullable(),
  /** The version of the box's items and weights on sale: changing them while on sale publishes a new one. */
  version: z.number().int().min(1).optional(),
  products: z.array(boxProductSchema),
  /** A scheduled drop's opening (ISO); before it ordering answers 409 NOT_ON_SALE_YET. null: on sale now. */
  onSaleAt: z.string().nullable(),
  /** The drop was cancelled: not on sale until a new one is scheduled. */
  dropCancelled: z.boolean(),
  /** When the box first went on sale (its drop's opening, else when it was added): 新品 is decided from it (shelf.ts). */
  launchedAt: isoDate,
  /** The server's clock as it answered: a countdown runs against it, never against the phone's own clock. */
  serverTime: z.string(),
});
export type Box = z.infer<typeof boxSchema>;
export const boxPageSchema = pageOf(boxSchema);
export type BoxPage = z.infer<typeof boxPageSchema>;

// Addresses
/**
 * A line of text a shopper types (a name, an address field): trimmed, required, at most `max` characters, and
 * free of line breaks and control characters (safe-text.ts), so what they type can never add a line to a packing
 * list or send an escape sequence to an operator's terminal. No shopper field takes several lines: one that does
 * would allow `\n` alone, here. Messages name the field in Chinese: the shopper reads them.
 */
export function shopperLineSchema(label: string, max: number) {
  return z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}最多 ${max} 个字`)
    .refine((text) => !hasUnsafeCharacters(text), { error: `${label}不能包含换行、制表符或其他控制字符` });
}

/** A mainland mobile number, as WeChat's address book and the carriers' labels take it. */
export const mobileNumberSchema = (label: string) => z.string({ error: `请填写${label}` }).regex(/^1\d{10}$/, `${label}须为 11 位中国大陆手机号`);

// Line breaks are refused in every field, the detail too: it is printed on one line of a shipping label.
export const addressInputSchema = z.object({
  name: shopperLineSchema('收货人', 50),
  phone: mobileNumberSchema('手机号'),
  region: shopperLineSchema('所在地区', 100),
  detail: shopperLineSchema('详细地址', 200),
});
export type AddressInput = z.infer<typeof addressInputSchema>;
export const addressSchema = addressInputSchema.extend({ id: objectId });
export type Address = z.infer<typeof addressSchema>;
export const addressListSchema = z.object({ items: z.array(addressSchema) });

// Coupons
export const couponStatusSchema = z.enum(['AVAILABLE', 'LOCKED', 'USED', 'EXPIRED']);
export const couponSchema = z.object({
  id: objectId,
  title: z.string(),
  /** Fen off; 0 for a percentage coupon. */
  amountOffFen: fenSchema,
  /** Basis points off (1000 = 10 % off, 9折), priced in whole fen rounded down; null for an amount coupon. */
  percentOffBp: z.number().int().min(1).max(9999).nullable(),
  /** The most a percentage coupon takes off; null: no cap. */
  maxOffFen: fenSchema.nullable(),
  minSpendFen: fenSchema,
  expiresAt: isoDate,
  status: couponStatusSchema,
});
export type Coupon = z.infer<typeof couponSchema>;
export const couponListSchema = z.object({ items: z.array(couponSchema) });

// Orders
const positionSchema = z.number().int().min(0).max(MAX_SET_POSITIONS - 1);

/** For a whole-set box: the positions picked in one set, or the whole set (quantity = the positions taken). */
export const setPickSchema = z
  .object({
    setId: objectId,
    positions: z.array(positionSchema).min(1).max(MAX_SET_POSITIONS).optional(),
    wholeSet: z.literal(true).optional(),
  })
  .refine((pick) => (pick.positions === undefined) !== (pick.wholeSet === undefined), 'give either positions or wholeSet')
  .refine((pick) => !pick.positions || new Set(pick.positions).size === pick.positions.length, 'positions must differ');
export type SetPick = z.infer<typeof setPickSchema>;

export const createOrderRequestSchema = z.object({
  items: z
    .array(z.object({ boxId: objectId, quantity: z.number().int().min(1).max(MAX_QUANTITY_PER_ITEM), setPick: setPickSchema.optional() }))
    .min(1)
    .max(10),
  /** Absent: the shopper's first address, as their address list orders it (a drop's one-tap claim from the box page). */
  addressId: objectId.optional(),
  couponId: objectId.optional(),
});
export type CreateOrderRequest = z.infer<typeof createOrderRequestSchema>;

/** An unpaid order's delivery address, changed to another of the shopper's saved ones (a one-tap claim went to the first). */
export const changeOrderAddressRequestSchema = z.object({ addressId: objectId });
export type ChangeOrderAddressRequest = z.infer<typeof changeOrderAddressRequestSchema>;

export const drawSchema = z.object({
  boxId: objectId,
  productId: z.string(),
  name: z.string(),
  rarity: raritySchema,
  imageUrl: z.string(),
  /** Null only for draws made before draws were provably fair. */
  proof: z
    .object({ unitIndex: z.number().int().min(0), seedId: z.string(), serverSeedHash: z.string(), missesBefore: z.number().int().min(0), exhausted: z.array(z.string()).optional(), forced: z.boolean(), drawnAt: isoDate })
    .nullable(),
  /** A whole-set box: the set and position this design was sold from; the set's commitment was public first. */
  set: z.object({ setId: objectId, number: z.number().int().min(1), position: z.number().int().min(0), commitment: z.string() }).optional(),
});
export type Draw = z.infer<typeof drawSchema>;

export const orderItemSchema = z.object({
  boxId: objectId,
  name: z.string(),
  coverUrl: z.string(),
  priceFen: fenSchema,
  quantity: z.number().int().positive(),
  /** The box version (items and weights) this line was bought under; absent on orders placed before versions. */
  boxVersion: z.number().int().min(1).optional(),
  products: z.array(boxProductSchema),
  /** A whole-set box: the set and the positions this line holds (or bought). */
  setPick: z.object({ setId: objectId, number: z.number().int().min(1), positions: z.array(z.number().int().min(0)) }).optional(),
  /** The server seed commitment this line's draws will use, public before the order was placed (keep it to check the reveal). */
  commitment: z.object({ seedId: z.string(), serverSeedHash: z.string() }).optional(),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

export const auditEntrySchema = z.object({
  from: orderStatusSchema.nullable(),
  to: orderStatusSchema,
  reason: z.string(),
  actor: z.string(),
  at: isoDate,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const orderSchema = z.object({
  id: objectId,
  status: orderStatusSchema,
  items: z.array(orderItemSchema),
  subtotalFen: fenSchema,
  discountFen: fenSchema,
  totalFen: fenSchema,
  address: addressInputSchema,
  couponId: objectId.nullable(),
  expiresAt: isoDate,
  createdAt: isoDate,
  paidAt: isoDate.nullable(),
  draws: z.array(drawSchema),
  trackingNote: z.string().nullable(),
  /**
   * Where the shopper confirms receipt: WECHAT for a mini-program payment (WeChat's receipt component, opened with
   * `wechatTransactionId`; the money is frozen until then), SHOP for the shop's own button.
   */
  receiptBy: z.enum(['WECHAT', 'SHOP']).optional(),
  wechatTransactionId: z.string().nullable().optional(),
  audit: z.array(auditEntrySchema),
});
export type Order = z.infer<typeof orderSchema>;

export const orderListQuerySchema = paginationQuerySchema.extend({ status: orderStatusSchema.optional() });
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;
export const orderPageSchema = pageOf(orderSchema);
export type OrderPage = z.infer<typeof orderPageSchema>;

// Payment
/** Exactly the object `wx.requestPayment` / `Taro.requestPayment` takes. */
export const jsapiPayParamsSchema = z.object({
  appId: z.string(),
  timeStamp: z.string().regex(/^\d+$/),
  nonceStr: z.string(),
  package: z.string().startsWith('prepay_id='),
  signType: z.literal('RSA'),
  paySign: z.string(),
});
export type JsapiPayParams = z.infer<typeof jsapiPayParamsSchema>;

export const nativePayResponseSchema = z.object({
  codeUrl: z.string(),
  /** data: URL of a QR image of codeUrl, ready for an <img>. */
  qrDataUrl: z.string().startsWith('data:image/'),
});
export type NativePayResponse = z.infer<typeof nativePayResponseSchema>;

export const paymentStatusResponseSchema = z.object({
  /** The order's id (the reference payment API's orderNo). */
  orderNo: objectId,
  status: paymentStatusSchema,
  /** Why a FAILED payment failed; null while PENDING and once PAID. */
  reason: paymentFailureReasonSchema.nullable(),
  paidAt: isoDate.nullable(),
});
export type PaymentStatusResponse = z.infer<typeof paymentStatusResponseSchema>;

/** Alipay page pay (H5/PC): the attempt's out_trade_no and the self-submitting form that opens Alipay's cashier. */
export const alipayPageResponseSchema = z.object({
  paymentId: z.string(),
  formHtml: z.string().includes('<form '),
});
export type AlipayPageResponse = z.infer<typeof alipayPageResponseSchema>;

/** Prices a cart without placing it, so the confirm page shows the server's total. */
export const quoteRequestSchema = createOrderRequestSchema.omit({ addressId: true });
export type QuoteRequest = z.infer<typeof quoteRequestSchema>;
export const quoteResponseSchema = z.object({ subtotalFen: fenSchema, discountFen: fenSchema, totalFen: fenSchema });
export type QuoteResponse = z.infer<typeof quoteResponseSchema>;

// Shopper profile: age gate and client seed
export const ageBracketSchema = z.enum(AGE_BRACKETS);
export const profileSchema = z.object({
  ageBracket: ageBracketSchema.nullable(),
  ageDeclaredAt: isoDate.nullable(),
  /** When the guardian's consent in force was given (8–17 only); null without one, or once it no longer counts. */
  guardianConsentAt: isoDate.nullable(),
  clientSeed: z.string(),
  /** The phone number that signs in this account (web SMS sign-in, WeChat's phone button), masked: 138****0000. */
  phone: z.string().nullable(),
});
export type Profile = z.infer<typeof profileSchema>;
/** The shopper's own declaration; a guardian's consent is never part of it (guardian-consent.ts, its own page). */
export const declareAgeRequestSchema = z.object({ bracket: ageBracketSchema });
export type DeclareAgeRequest = z.input<typeof declareAgeRequestSchema>;
export const clientSeedRequestSchema = z.object({ clientSeed: z.string().regex(CLIENT_SEED_PATTERN, '1–64 printable ASCII characters, no spaces') });

// Fairness: published seeds, limits, the shopper's guarantee count, a draw's proof
export const publicSeedSchema = z.object({
  id: z.string(),
  generation: z.number().int().min(1),
  hash: z.string(),
  committedAt: isoDate,
  rotateAt: isoDate,
  retiredAt: isoDate.nullable(),
  revealedAt: isoDate.nullable(),
  /** Null until revealed: after the seed is retired and no order that took it can still be paid. */
  seed: z.string().nullable(),
});
export type PublicSeed = z.infer<typeof publicSeedSchema>;

export const boxFairnessSchema = z.object({
  boxId: objectId,
  guarantee: guaranteeRuleSchema.nullable(),
  limits: z.object({ dailySpendCapFen: fenSchema, dailyDrawCapPerBox: z.number().int(), purchaseLimitPerDrop: z.number().int() }),
  /** Newest first: the next seed (committed a period ahead), the seed new orders take, then retired (and, once revealed, published) ones. */
  seeds: z.array(publicSeedSchema),
  /** The seed new orders take now; the one listed before it is next. */
  currentSeedId: z.string(),
});
export type BoxFairness = z.infer<typeof boxFairnessSchema>;

export const myGuaranteeSchema = z.object({
  boxId: objectId,
  guarantee: guaranteeRuleSchema.nullable(),
  /** Consecutive draws of this box without an item of the guaranteed rarity. */
  misses: z.number().int().min(0),
  /** The guaranteed item comes at the latest with the `remaining`-th next draw. */
  remaining: z.number().int().min(0).nullable(),
  today: z.object({ spentFen: fenSchema, draws: z.number().int() }),
});
export type MyGuarantee = z.infer<typeof myGuaranteeSchema>;

export const drawProofSchema = z.object({
  orderId: objectId,
  unitIndex: z.number().int().min(0),
  boxId: objectId,
  clientSeed: z.string(),
  seedId: z.string(),
  serverSeedHash: z.string(),
  /** When the hash was published, and when the order took it: the commitment came first. */
  seedCommittedAt: isoDate,
  orderPlacedAt: isoDate,
  serverSeed: z.string().nullable(),
  revealedAt: isoDate.nullable(),
  /** Until the seed is revealed: the earliest time it will be (a shopper is told when to come back to verify). */
  revealAfter: isoDate.nullable().default(null),
  products: z.array(z.object({ productId: z.string(), name: z.string(), rarity: raritySchema, weight: z.number().int().positive() })),
  guarantee: guaranteeRuleSchema.nullable(),
  missesBefore: z.number().int().min(0),
  /** Products that had run out when this unit was drawn (they took no tickets). */
  exhausted: z.array(z.string()).default([]),
  forced: z.boolean(),
  productId: z.string(),
  drawnAt: isoDate,
  /**
   * The message format (docs/fairness.md "Messages"): 2 signs `clientSeed:nonce:unit` (the shopper's sequence
   * number for the box and the unit's place in its line), 1 (older draws) `clientSeed:orderId:unitIndex`.
   */
  messageVersion: z.union([z.literal(1), z.literal(2)]).default(1),
  nonce: z.number().int().min(1).nullable().default(null),
  unit: z.number().int().min(0).nullable().default(null),
  /** The HMAC message of round 0; more rounds append `:1`, `:2`, … only when a word is rejected. */
  message: z.string(),
});
export type DrawProof = z.infer<typeof drawProofSchema>;

/**
 * One unit's draw in its box's public log (docs/fairness.md "The public draw log"): anonymised (no account, no
 * order), everything needed to recompute it. `seq` numbers the box's entries in the order logged (from 1, gaps
 * possible); `shopper` is the shopper's random name in this box's log; `nonce` their sequence number for the box
 * (one per order line) and `unit` the unit's place in that line: with `clientSeed`, the HMAC message.
 */
export const drawLogEntrySchema = z.object({
  seq: z.number().int().min(1),
  boxId: objectId,
  shopper: z.string(),
  messageVersion: z.literal(2),
  clientSeed: z.string(),
  nonce: z.number().int().min(1),
  unit: z.number().int().min(0),
  /** Round 0's message: `clientSeed:nonce:unit`. */
  message: z.string(),
  seedId: z.string(),
  serverSeedHash: z.string(),
  /** Null until revealed (docs/fairness.md "Server seeds"). */
  serverSeed: z.string().nullable(),
  /** The box version whose odds the unit was drawn with (null: sold before versions), and that odds table itself. */
  boxVersion: z.number().int().min(1).nullable(),
  products: z.array(z.object({ productId: z.string(), rarity: raritySchema, weight: z.number().int().positive() })),
  guarantee: guaranteeRuleSchema.nullable(),
  missesBefore: z.number().int().min(0),
  exhausted: z.array(z.string()),
  forced: z.boolean(),
  productId: z.string(),
  drawnAt: isoDate,
});
export type DrawLogEntry = z.infer<typeof drawLogEntrySchema>;

/** `?after=<cursor>&limit=`: the entries after the cursor (a log's `seq`, a set's number; 0: from the start). */
export const afterQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100) });
/** `?before=<generation>&limit=`: the generations older than the cursor (absent: from the newest). */
export const seedHistoryQuerySchema = z.object({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

/** A page of a box's draw log, oldest first; `nextAfter` is the cursor of the next page (`?after=`), null at the end. */
export const drawLogPageSchema = z.object({ boxId: objectId, items: z.array(drawLogEntrySchema), nextAfter: z.number().int().nullable() });
export type DrawLogPage = z.infer<typeof drawLogPageSchema>;

/** A page of a box's seed history, newest first; `nextBefore` is the cursor of the next page (`?before=`), null at the end. */
export const seedHistoryPageSchema = z.object({ boxId: objectId, items: z.array(publicSeedSchema), nextBefore: z.number().int().nullable() });
export type SeedHistoryPage = z.infer<typeof seedHistoryPageSchema>;

export const devConfigSchema = z.object({ simulatorUrl: z.string() });
export type DevConfig = z.infer<typeof devConfigSchema>;

// Collection (盒柜): everything a shopper has drawn, by series
export const collectionItemSchema = z.object({
  productId: z.string(),
  name: z.string(),
  rarity: raritySchema,
  /** The picture once drawn; until then its silhouette. */
  imageUrl: z.string(),
  /** Paid orders that drew it, newest first (one entry per unit drawn). */
  draws: z.array(z.object({ orderId: objectId, drawnAt: isoDate })),
});
export type CollectionItem = z.infer<typeof collectionItemSchema>;

export const collectionSeriesSchema = z.object({
  boxId: objectId,
  name: z.string(),
  coverUrl: z.string(),
  /** Kinds drawn at least once / kinds in the series. */
  owned: z.number().int().min(0),
  total: z.number().int().min(0),
  items: z.array(collectionItemSchema),
});
export type CollectionSeries = z.infer<typeof collectionSeriesSchema>;

export const collectionSchema = z.object({
  series: z.array(collectionSeriesSchema),
  owned: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type Collection = z.infer<typeof collectionSchema>;

// Whole sets (端盒): a set's grid while on sale, and its arrangement once sold out or retired
export const SET_STATES = ['ON_SALE', 'SOLD_OUT', 'RETIRED'] as const;
export const setStateSchema = z.enum(SET_STATES);
export type SetState = z.infer<typeof setStateSchema>;
export const positionStateSchema = z.enum(['FREE', 'HELD', 'SOLD']);
export type PositionState = z.infer<typeof positionStateSchema>;

export const boxSetSchema = z.object({
  id: objectId,
  boxId: objectId,
  number: z.number().int().min(1),
  positions: z.number().int().min(1),
  /** SHA-256(arrangement ‖ salt), public from the moment the set exists, before any of it can be sold. */
  commitment: z.string(),
  committedAt: isoDate,
  state: setStateSchema,
  /** Position by position: never which design is where, only whether it is taken. */
  grid: z.array(positionStateSchema),
  free: z.number().int().min(0),
  held: z.number().int().min(0),
  sold: z.number().int().min(0),
  revealedAt: isoDate.nullable(),
  /** Null while on sale; once sold out or retired, the design at each position and the salt. */
  arrangement: z.array(z.string()).nullable(),
  salt: z.string().nullable(),
  /** Null while on sale; then every sale: the position, the design it delivered, and a hash naming the order. */
  sales: z.array(z.object({ position: z.number().int().min(0), productId: z.string(), orderRef: z.string(), soldAt: isoDate })).nullable(),
  /** The series rule the arrangement follows: each regular design once, a secret one possibly replacing one. */
  series: z.object({ regular: z.array(z.string()), secret: z.array(z.string()) }),
  /**
   * The block rule: sets are numbered from 1 in blocks of `secretEvery` (1…n, n+1…2n, …) and at most one set of a
   * block carries a secret design (null: no set does). A verifier checks it over the published sets of a block.
   */
  secretEvery: z.number().int().min(1).nullable(),
});
export type BoxSet = z.infer<typeof boxSetSchema>;

export const boxSetListSchema = z.object({ items: z.array(boxSetSchema.omit({ grid: true, arrangement: true, salt: true, sales: true, series: true, secretEvery: true })) });
export type BoxSetList = z.infer<typeof boxSetListSchema>;

/** A page of a box's sets as GET /api/sets/:setId shows each (arrangement and sales once revealed), by number. */
export const boxSetPageSchema = z.object({ boxId: objectId, items: z.array(boxSetSchema), nextAfter: z.number().int().nullable() });
export type BoxSetPage = z.infer<typeof boxSetPageSchema>;
