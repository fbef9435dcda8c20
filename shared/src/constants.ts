// Zod-free, like money.ts: the mini-program imports these values directly.
import type { OrderStatus } from './order-status';

export const RARITIES = ['COMMON', 'RARE', 'EPIC', 'SECRET'] as const;

export const MAX_QUANTITY_PER_ITEM = 20;

/**
 * The codes of a box with fewer units than an order asks (the server's shortOfUnits): about the box alone, the same
 * for every shopper. The order door repeats them; the mini-program turns its page to sold out on them.
 */
export const SHORT_OF_UNITS_CODES: ReadonlySet<string> = new Set(['SOLD_OUT', 'OUT_OF_STOCK']);

/** WEIGHTED: every unit is an independent draw by the published weights. SETS (端盒): the series is sold as
 * committed whole sets of positions the shopper picks from. */
export const SALE_MODES = ['WEIGHTED', 'SETS'] as const;

/** A whole set has at most this many positions (one order may take a whole set). */
export const MAX_SET_POSITIONS = MAX_QUANTITY_PER_ITEM;

export type RarityName = (typeof RARITIES)[number];

/** How the shop and the console name each rarity and order status (Chinese, one wording everywhere). */
export const RARITY_LABELS: Record<RarityName, string> = {
  COMMON: '普通',
  RARE: '稀有',
  EPIC: '史诗',
  SECRET: '隐藏',
};

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  TO_BE_PAID: '待支付',
  TO_BE_DELIVERED: '待发货',
  DELIVERED: '已发货',
  COMPLETED: '已完成',
  CLOSED: '已关闭',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
};

/** Declared once by the shopper: under 8 may not buy, 8–17 needs a guardian's consent, 18+ may. */
export const AGE_BRACKETS = ['UNDER_8', 'MINOR_8_17', 'ADULT'] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];

/** A client seed the shopper chooses: printable ASCII, so every client hashes the same bytes. */
export const CLIENT_SEED_PATTERN = /^[\x21-\x7e]{1,64}$/;
