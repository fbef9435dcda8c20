import { createHash } from 'node:crypto';
import { saleRef, setCommitment, verifySet, type SetVerifyInputs } from './set-verify';

const arrangement = ['b', 'd', 'a', 'c'];
const salt = '5a17';
const published: SetVerifyInputs = {
  commitment: setCommitment(arrangement, salt),
  positions: 4,
  arrangement,
  salt,
  sales: [
    { position: 0, productId: 'b' },
    { position: 2, productId: 'a' },
  ],
  series: { regular: ['a', 'b', 'c', 'd'], secret: ['s'] },
};

test('the commitment is SHA-256 of the arrangement as a JSON array followed by the salt', () => {
  expect(published.commitment).toBe(createHash('sha256').update('["b","d","a","c"]5a17', 'utf8').digest('hex'));
  expect(saleRef('abc', 3)).toBe(createHash('sha256').update('abc:3').digest('hex').slice(0, 16));
});

test('a published set verifies; any change to the arrangement, salt, a sale or the series rule does not', () => {
  expect(verifySet(published)).toEqual({ ok: true });
  expect(verifySet({ ...published, arrangement: null })).toEqual({ ok: false, reason: 'NOT_REVEALED' });
  expect(verifySet({ ...published, arrangement: ['d', 'b', 'a', 'c'] })).toEqual({ ok: false, reason: 'COMMITMENT_MISMATCH' });
  expect(verifySet({ ...published, salt: '5a18' })).toEqual({ ok: false, reason: 'COMMITMENT_MISMATCH' });
  expect(verifySet({ ...published, positions: 5 })).toEqual({ ok: false, reason: 'WRONG_SIZE' });
  expect(verifySet({ ...published, sales: [{ position: 2, productId: 'c' }] })).toEqual({ ok: false, reason: 'SALE_MISMATCH', position: 2 });
  expect(verifySet({ ...published, sales: [{ position: 2, productId: 'a' }, { position: 2, productId: 'a' }] })).toEqual({ ok: false, reason: 'SOLD_TWICE', position: 2 });
  expect(verifySet({ ...published, sales: [{ position: 4, productId: 'a' }] })).toEqual({ ok: false, reason: 'UNKNOWN_POSITION', position: 4 });
});

test('the series rule: each regular design once, or one of them replaced by a secret design', () => {
  const withSecret = ['b', 's', 'a', 'c'];
  const check = (candidate: string[]) => verifySet({ ...published, arrangement: candidate, commitment: setCommitment(candidate, salt), sales: [] });
  expect(check(withSecret)).toEqual({ ok: true });
  expect(check(['b', 'b', 'a', 'c'])).toEqual({ ok: false, reason: 'NOT_THE_SERIES' });
  expect(check(['b', 's', 's', 'c'])).toEqual({ ok: false, reason: 'NOT_THE_SERIES' });
  expect(check(['b', 'x', 'a', 'c'])).toEqual({ ok: false, reason: 'NOT_THE_SERIES' });
});
