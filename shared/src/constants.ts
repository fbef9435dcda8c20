// Zod-free, like money.ts: the mini-program imports these values directly.

export const RARITIES = ['COMMON', 'RARE', 'EPIC', 'SECRET'] as const;

export const MAX_QUANTITY_PER_ITEM = 20;

export type RarityName = (typeof RARITIES)[number];
