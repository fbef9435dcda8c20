export * from './money';
export * from './constants';
export * from './order-status';
export * from './api';
export * from './fairness/fair-draw';
export { sha256, hmacSha256, toHex, utf8 } from './fairness/sha256';
