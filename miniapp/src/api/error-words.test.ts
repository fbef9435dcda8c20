import fs from 'node:fs';
import path from 'node:path';
import { ApiError, describeError } from './api-error';
import { CONSOLE_ERROR_MESSAGES } from '@blindbox/shared/src/console/errors';
import { ERROR_WORDS, GENERIC_ERROR, wordsFor } from './error-words';

const serverSource = path.resolve(__dirname, '../../../server/src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/**
 * Every error code the server can answer, read from its source: domain errors (`ruleError(kind, 'CODE')`,
 * `readonly code = 'CODE'` or a union of codes) and the HTTP layer's own (`AppError(status, 'CODE')`,
 * `badRequest('CODE')`, `conflict('CODE')`, `code: 'CODE'` in an error body). Only files that deal in those
 * errors are read, so a coupon's code or a channel's field name is not taken for one.
 */
function serverErrorCodes(): string[] {
  const codes = new Set<string>();
  for (const file of sourceFiles(serverSource)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!/DomainError|ruleError|AppError|badRequest|conflict\(|ctx\.body = \{ code/.test(text)) continue;
    for (const match of text.matchAll(/(?:ruleError\(\s*'[A-Z_]+',\s*|\bcode\s*[:=]\s*|AppError\(\s*\d+,\s*|badRequest\(\s*|conflict\(\s*)'([A-Z][A-Z0-9_]+)'/g)) codes.add(match[1]!);
    for (const union of text.matchAll(/readonly code:\s*((?:'[A-Z_]+'\s*\|?\s*)+)/g)) {
      for (const member of union[1]!.matchAll(/'([A-Z_]+)'/g)) codes.add(member[1]!);
    }
  }
  return [...codes].sort();
}

// Codes only the staff console answers (staff sessions, roles, refunds and shipping by staff) are worded for staff
// in shared/src/console/errors.ts; every other code is one a shopper can meet and is worded here.
test('every error code the server defines has Chinese words, for the shopper or (console only) for staff', () => {
  const codes = serverErrorCodes();
  // The scan itself must find the codes it is meant to find, or an empty list would pass.
  expect(codes).toEqual(expect.arrayContaining(['SOLD_OUT', 'PURCHASE_LIMIT_REACHED', 'ORDER_EXPIRED', 'VALIDATION_ERROR', 'RATE_LIMITED', 'AGE_ALREADY_DECLARED']));
  expect(codes.filter((code) => !(code in ERROR_WORDS) && !(code in CONSOLE_ERROR_MESSAGES))).toEqual([]);
});

test('no wording contains a Latin word', () => {
  const samples = Object.keys(ERROR_WORDS).map((code) => wordsFor(code, { limit: 2, availableAgainAt: '2026-12-01T08:14:00Z', onSaleAt: '2026-12-01T08:14:00Z' }));
  expect(samples.filter((text) => /[A-Za-z]{2,}/.test(text ?? ''))).toEqual([]);
});

test('a wording says the limit and the Beijing time the error carries', () => {
  expect(describeError(new ApiError(409, 'PURCHASE_LIMIT_REACHED', 'at most 2 of box 6b12 per shopper', { limit: 2 }))).toBe('这一款每人本期限购 2 个，已达上限');
  expect(describeError(new ApiError(409, 'NOT_ON_SALE_YET', 'box goes on sale at …', { onSaleAt: '2026-12-01T08:14:00.000Z' }))).toContain('2026-12-01 16:14');
  expect(describeError(new ApiError(409, 'DAILY_SPEND_LIMIT_REACHED', 'at most 200000 fen', { limit: 200_000 }))).toContain('¥2,000.00');
});

test('anything unknown is one generic Chinese line, never the server text', () => {
  expect(describeError(new ApiError(500, 'HTTP_500', '服务器错误 (HTTP 500)'))).toBe(GENERIC_ERROR);
  expect(describeError(new ApiError(409, 'SOMETHING_NEW', 'box 6b12 is odd'))).toBe(GENERIC_ERROR);
  expect(describeError(new Error('requestPayment:fail Failed to fetch'))).toBe(GENERIC_ERROR);
});

test('a validation error names its fields in Chinese', () => {
  expect(describeError(new ApiError(400, 'VALIDATION_ERROR', 'name: Too small', { fields: 'name,phone' }))).toBe('请检查收货人、手机号是否填写正确');
  expect(describeError(new ApiError(400, 'VALIDATION_ERROR', 'bracket: Invalid option'))).toBe(ERROR_WORDS.VALIDATION_ERROR);
});
