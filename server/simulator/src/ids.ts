/** Identifiers shaped like WeChat's, so merchant-side length and format checks see realistic values. */
import { randomInt } from 'node:crypto';
import { randomNonce } from './aead';
import { beijingTime } from './time';

function digits(length: number): string {
  return Array.from({ length }, () => String(randomInt(10))).join('');
}

function compactBeijingTime(epochMs: number): string {
  return beijingTime(epochMs).slice(0, 19).replace(/\D/g, '');
}

/** e.g. wx201410272009395522657a690389285100 */
export function newPrepayId(now: number): string {
  return `wx${compactBeijingTime(now)}${randomNonce(20).toLowerCase()}`;
}

export function newCodeUrl(): string {
  return `weixin://wxpay/bizpayurl?pr=${randomNonce(7)}`;
}

/** 28 digits, e.g. 4200000985202103031441826014 */
export function newTransactionId(): string {
  return `42000${digits(23)}`;
}

/** 29 digits, e.g. 50000000382019052709732678859 */
export function newRefundId(): string {
  return `50${digits(27)}`;
}
