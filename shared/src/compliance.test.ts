import { DEFAULT_COMPLIANCE_POLICY, averageValueFen, checkBoxValues, minorsNoticeFor, refusingFindings, type ValuedBox } from './compliance';

const policy = DEFAULT_COMPLIANCE_POLICY;
const box = (priceFen: number, values: Array<number | null>, weights = values.map(() => 1)): ValuedBox => ({
  priceFen,
  items: values.map((valueFen, index) => ({ id: `item-${index}`, valueFen, weight: weights[index]! })),
});
const rules = (checked: ValuedBox) => checkBoxValues(checked, policy).map((finding) => finding.rule);

test('a box priced like its items, under ¥200, with a narrow spread passes', () => {
  expect(rules(box(5900, [5900, 5900, 6900, 12_900], [40, 40, 15, 5]))).toEqual([]);
});

test('the average value is weighted by the published odds', () => {
  // 3 × ¥10 + 1 × ¥50 over 4 tickets = ¥20.
  expect(averageValueFen(box(2000, [1000, 5000], [3, 1]))).toBe(2000);
  expect(averageValueFen(box(2000, [1000, null]))).toBeNull();
});

test('an item without a value is a REQUIRED finding naming the items; the value checks wait for every value', () => {
  const findings = checkBoxValues(box(5900, [5900, null, null]), policy);
  expect(findings).toHaveLength(1);
  expect(findings[0]).toMatchObject({ rule: 'ITEM_VALUE_MISSING', severity: 'REQUIRED', items: ['item-1', 'item-2'] });
  expect(findings[0]!.source).toContain('盲盒经营行为规范指引');
});

test('a box over ¥200 is flagged with the Shanghai guideline as its source; ¥200 exactly is not', () => {
  expect(rules(box(20_000, [20_000]))).toEqual([]);
  const [finding] = checkBoxValues(box(20_001, [20_001]), policy);
  expect(finding).toMatchObject({ rule: 'PRICE_OVER_CAP', severity: 'ADVISED' });
  expect(finding!.source).toContain('上海');
  expect(finding!.message).toContain('¥200.01');
});

test('values far from the price either way are flagged at the configured tolerance', () => {
  // ¥999 box of ¥5 items: the example.
  expect(rules(box(99_900, [500, 500]))).toEqual(['PRICE_OVER_CAP', 'VALUE_FAR_FROM_PRICE']);
  expect(rules(box(10_000, [7000]))).toEqual([]); // −30%: at the edge
  expect(rules(box(10_000, [6999]))).toEqual(['VALUE_FAR_FROM_PRICE']);
  expect(rules(box(10_000, [13_001]))).toEqual(['VALUE_FAR_FROM_PRICE']);
  expect(checkBoxValues(box(10_000, [6999]), { ...policy, valuePriceTolerancePercent: 50 })).toEqual([]);
});

test('a series whose dearest item is worth more than maxValueSpread times its cheapest is flagged', () => {
  // Average stays at the price: only the spread is wrong.
  expect(rules(box(5000, [4000, 20_000], [16, 1]))).toEqual([]);
  expect(rules(box(5000, [3900, 20_000], [16, 1]))).toEqual(['VALUE_SPREAD_WIDE']);
  expect(checkBoxValues(box(5000, [3900, 20_000], [16, 1]), { ...policy, maxValueSpread: 6 })).toEqual([]);
});

test('ADVISED findings refuse only a strict shop; REQUIRED ones always', () => {
  const findings = checkBoxValues(box(99_900, [500, null]), policy);
  expect(refusingFindings(findings, false).map((finding) => finding.rule)).toEqual(['ITEM_VALUE_MISSING']);
  expect(refusingFindings(findings, true).map((finding) => finding.rule)).toEqual(['ITEM_VALUE_MISSING', 'PRICE_OVER_CAP']);
});

test('the minors\' notice: none for adults, the rule for the undeclared, consent for 8–17, refusal under 8', () => {
  expect(minorsNoticeFor({ ageBracket: 'ADULT', guardianConsentAt: null })).toBeNull();
  expect(minorsNoticeFor(null)).toBe('NOT_DECLARED');
  expect(minorsNoticeFor({ ageBracket: null, guardianConsentAt: null })).toBe('NOT_DECLARED');
  expect(minorsNoticeFor({ ageBracket: 'UNDER_8', guardianConsentAt: null })).toBe('UNDER_8');
  expect(minorsNoticeFor({ ageBracket: 'MINOR_8_17', guardianConsentAt: null })).toBe('GUARDIAN_CONSENT_NEEDED');
  expect(minorsNoticeFor({ ageBracket: 'MINOR_8_17', guardianConsentAt: '2026-01-01T00:00:00.000Z' })).toBe('GUARDIAN_CONSENTED');
});
