import { webRandomHex } from './random-hex';

test('the device makes its client seed from 16 random bytes: 32 hex characters, a new one each time', () => {
  const [a, b] = [webRandomHex(16), webRandomHex(16)];
  expect(a).toMatch(/^[0-9a-f]{32}$/);
  expect(b).not.toBe(a);
});
