import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hmacSha256, sha256, toHex, utf8 } from './sha256';
import { drawMessage, fairDraw, messageKeyOf, seedHash, uniformTicket, verifyDraw, type FairProduct, type GuaranteeRule } from './fair-draw';

const products: FairProduct[] = [
  { productId: 'c', rarity: 'COMMON', weight: 60 },
  { productId: 'r', rarity: 'RARE', weight: 25 },
  { productId: 'e', rarity: 'EPIC', weight: 10 },
  { productId: 's', rarity: 'SECRET', weight: 5 },
];

// Upper tail of chi-square with 3 degrees of freedom at p = 0.001.
const CHI_SQUARE_3DF_P001 = 16.266;

test('SHA-256 and HMAC-SHA-256 agree with node:crypto on messages of every padding length and on Unicode', () => {
  for (let length = 0; length < 200; length++) {
    const message = randomBytes(length);
    const key = randomBytes(length % 90);
    expect(toHex(sha256(message))).toBe(createHash('sha256').update(message).digest('hex'));
    expect(toHex(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message).digest('hex'));
  }
  const text = '盲盒 🎁 seed';
  expect(toHex(sha256(utf8(text)))).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
});

test('observed frequencies of the production draw match the published odds (chi-square over 100,000 draws, p > 0.001)', () => {
  const draws = 100_000;
  const serverSeed = randomBytes(32).toString('hex');
  const counts = new Map<string, number>();
  for (let unitIndex = 0; unitIndex < draws; unitIndex++) {
    const { productId } = fairDraw({ serverSeed, clientSeed: 'chi', key: { version: 2, nonce: 1, unit: unitIndex }, products, guarantee: null, missesBefore: 0 });
    counts.set(productId, (counts.get(productId) ?? 0) + 1);
  }
  const chiSquare = products.reduce((sum, product) => {
    const expected = (draws * product.weight) / 100;
    return sum + ((counts.get(product.productId) ?? 0) - expected) ** 2 / expected;
  }, 0);
  expect(chiSquare).toBeLessThan(CHI_SQUARE_3DF_P001);
});

test('tickets are rejection-sampled: with a total just above 2^31 nearly half the words are rejected, and every ticket stays below the total', () => {
  const total = 2 ** 31 + 1;
  const serverSeed = 'rejection';
  for (let i = 0; i < 200; i++) {
    const ticket = uniformTicket(serverSeed, (round) => `m:${i}:${round}`, total);
    expect(ticket).toBeGreaterThanOrEqual(0);
    expect(ticket).toBeLessThan(total);
  }
  // Eight words per round: a rejected word is skipped, never folded back with a modulo.
  const first = createHmac('sha256', serverSeed).update('m:0:0').digest().readUInt32BE(0);
  const ticket0 = uniformTicket(serverSeed, (round) => `m:0:${round}`, total);
  if (first < 2 ** 32 - (2 ** 32 % total)) expect(ticket0).toBe(first % total);
  else expect(ticket0).not.toBe(first % total);
});

test('with the guarantee on, simulated shopper histories never go `within` draws without an eligible item', () => {
  const rules: GuaranteeRule[] = [
    { minRarity: 'SECRET', within: 10 },
    { minRarity: 'EPIC', within: 3 },
    { minRarity: 'SECRET', within: 72 },
  ];
  for (const guarantee of rules) {
    for (let shopper = 0; shopper < 20; shopper++) {
      const serverSeed = randomBytes(32).toString('hex');
      let misses = 0;
      let longestDry = 0;
      let forcedSeen = 0;
      for (let unitIndex = 0; unitIndex < 500; unitIndex++) {
        const outcome = fairDraw({ serverSeed, clientSeed: `shopper-${shopper}`, key: { version: 2, nonce: 1, unit: unitIndex }, products, guarantee, missesBefore: misses });
        if (outcome.forced) forcedSeen++;
        misses = outcome.missesAfter;
        longestDry = Math.max(longestDry, misses);
      }
      expect(longestDry).toBeLessThan(guarantee.within);
      if (guarantee.within === 3) expect(forcedSeen).toBeGreaterThan(0);
    }
  }
});

test('a forced draw says so and picks only eligible products', () => {
  const outcome = fairDraw({ serverSeed: 's', clientSeed: 'c', key: { version: 2, nonce: 1, unit: 0 }, products, guarantee: { minRarity: 'EPIC', within: 5 }, missesBefore: 4 });
  expect(outcome.forced).toBe(true);
  expect(['e', 's']).toContain(outcome.productId);
  expect(outcome.total).toBe(15);
});

test('verification recomputes a draw from its public inputs and names what does not match', () => {
  const serverSeed = randomBytes(32).toString('hex');
  const inputs = { clientSeed: 'c', key: { version: 2 as const, nonce: 4, unit: 3 }, products, guarantee: null, missesBefore: 0 };
  const drawn = fairDraw({ ...inputs, serverSeed });
  const proof = { ...inputs, serverSeed, serverSeedHash: seedHash(serverSeed), recordedProductId: drawn.productId, recordedForced: false };
  expect(verifyDraw(proof)).toEqual({ ok: true, productId: drawn.productId, forced: false });
  expect(verifyDraw({ ...proof, serverSeed: null })).toMatchObject({ ok: false, reason: 'SEED_NOT_REVEALED' });
  expect(verifyDraw({ ...proof, serverSeedHash: seedHash('other') })).toMatchObject({ ok: false, reason: 'SEED_HASH_MISMATCH' });
  const other = products.find((product) => product.productId !== drawn.productId)?.productId ?? '';
  expect(verifyDraw({ ...proof, recordedProductId: other })).toMatchObject({ ok: false, reason: 'PRODUCT_MISMATCH', expected: drawn.productId });
});

test('the message names the shopper\'s sequence number and the unit (version 2), or the order and unit (version 1, older draws)', () => {
  expect(drawMessage('my-seed', { version: 2, nonce: 7, unit: 1 })).toBe('my-seed:7:1');
  expect(drawMessage('my-seed', { version: 2, nonce: 7, unit: 1 }, 2)).toBe('my-seed:7:1:2');
  expect(drawMessage('my-seed', { version: 1, orderId: '665f1c2e8b3a4d0012345678', unitIndex: 3 })).toBe('my-seed:665f1c2e8b3a4d0012345678:3');
  expect(messageKeyOf({ messageVersion: 2, orderId: 'ignored', unitIndex: 5, nonce: 7, unit: 1 })).toEqual({ version: 2, nonce: 7, unit: 1 });
  expect(messageKeyOf({ orderId: 'o', unitIndex: 5, nonce: null, unit: null })).toEqual({ version: 1, orderId: 'o', unitIndex: 5 });
  expect(() => messageKeyOf({ messageVersion: 2, nonce: null, unit: 0 })).toThrow(RangeError);
});
