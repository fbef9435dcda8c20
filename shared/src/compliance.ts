// No zod here: the mini-program and the back office import this file directly.
import type { AgeBracket } from './constants';
import { formatFen, type Fen } from './money';

/**
 * What China's blind-box rules ask of a box's prices and item values, checked in one place: `admin box import`
 * (and its dry run), `admin doctor` and the back office's series editor all call `checkBoxValues`.
 *
 * Sources (docs/compliance.md quotes them):
 * - NATIONAL: 市场监管总局《盲盒经营行为规范指引（试行）》(2023; the 2022 draft was titled 《盲盒经营活动规范指引（试行）》):
 *   the seller shall publish prominently, before purchase, the value of the goods in the box (商品价值), the drawing
 *   rules and the odds; shall not sell to children under 8; shall confirm a guardian's consent for minors of 8
 *   and over and tell them prominently that they need it; is encouraged to set guarantees and caps on time,
 *   amount and count; and shall not run cash-out or buy-back (折现、回购) of drawn goods.
 * - NATIONAL_DRAFT: its 2022 draft for comment: the cost gap inside one series (同一套系) should not be large.
 * - SHANGHAI: 上海市市场监督管理局《上海市盲盒经营活动合规指引》(2022): the items' actual value should be about equal
 *   to the selling price (基本相当); a single box generally no more than ¥200; no financial marketing, no
 *   market-making in the secondary market.
 */
export const GUIDELINES = {
  NATIONAL: '《盲盒经营行为规范指引（试行）》（市场监管总局，2023）',
  NATIONAL_DRAFT: '《盲盒经营活动规范指引（试行）（征求意见稿）》（市场监管总局，2022）',
  SHANGHAI: '《上海市盲盒经营活动合规指引》（上海市市场监管局，2022）',
} as const;

/** The thresholds a shop checks its boxes against (config: COMPLIANCE_*). */
export interface CompliancePolicy {
  /** Shanghai: 单个盲盒的售价一般不超过 200 元. */
  maxBoxPriceFen: Fen;
  /** The most valuable item of a series may be worth at most this many times the least valuable one. */
  maxValueSpread: number;
  /** How far (percent of the price) the value a draw yields on average may be from the price. */
  valuePriceTolerancePercent: number;
}

export const DEFAULT_COMPLIANCE_POLICY: CompliancePolicy = { maxBoxPriceFen: 20_000, maxValueSpread: 5, valuePriceTolerancePercent: 30 };

export type ComplianceRule = 'ITEM_VALUE_MISSING' | 'PRICE_OVER_CAP' | 'VALUE_FAR_FROM_PRICE' | 'VALUE_SPREAD_WIDE';

export interface ComplianceFinding {
  rule: ComplianceRule;
  /**
   * REQUIRED: the national guideline's 应当 (the value must be published); ADVISED: 一般 / 不应过大 / 基本相当,
   * guidance a shop follows unless it can justify otherwise. A strict shop refuses both.
   */
  severity: 'REQUIRED' | 'ADVISED';
  /** Chinese, for the merchant's staff: what is wrong, with the numbers. */
  message: string;
  /** The guideline the rule comes from. */
  source: string;
  /** The items concerned (ITEM_VALUE_MISSING). */
  items?: string[];
}

/** What the checks read of a box: its price and, per item, its value (null/absent: not set) and weight. */
export interface ValuedBox {
  priceFen: Fen;
  items: ReadonlyArray<{ id: string; valueFen?: Fen | null; weight: number }>;
}

/**
 * The value a draw yields on average: Σ weight × value / Σ weight, by the published weights (a whole-set box's
 * designs weigh 1 each), in fen, rounded; null while an item has no value.
 */
export function averageValueFen(box: ValuedBox): Fen | null {
  if (box.items.some((item) => item.valueFen === null || item.valueFen === undefined)) return null;
  const weights = box.items.reduce((sum, item) => sum + item.weight, 0);
  return Math.round(box.items.reduce((sum, item) => sum + item.weight * (item.valueFen as Fen), 0) / weights);
}

/** The lowest and highest item value of a box; null while an item has no value. */
export function valueRangeFen(box: ValuedBox): { min: Fen; max: Fen } | null {
  const values = box.items.map((item) => item.valueFen);
  if (values.some((value) => value === null || value === undefined)) return null;
  return { min: Math.min(...(values as Fen[])), max: Math.max(...(values as Fen[])) };
}

/** Every rule a box breaks, REQUIRED ones first; an empty list when it passes. */
export function checkBoxValues(box: ValuedBox, policy: CompliancePolicy): ComplianceFinding[] {
  const findings: ComplianceFinding[] = [];
  const missing = box.items.filter((item) => item.valueFen === null || item.valueFen === undefined).map((item) => item.id);
  if (missing.length > 0) {
    findings.push({
      rule: 'ITEM_VALUE_MISSING',
      severity: 'REQUIRED',
      message: `${missing.length} 个款式未填写商品价值（valueFen）：${missing.join('、')}；盒内商品价值须在购买前显著公示`,
      source: GUIDELINES.NATIONAL,
      items: missing,
    });
  }
  if (box.priceFen > policy.maxBoxPriceFen) {
    findings.push({
      rule: 'PRICE_OVER_CAP',
      severity: 'ADVISED',
      message: `单盒售价 ${formatFen(box.priceFen)} 超过 ${formatFen(policy.maxBoxPriceFen)}（单个盲盒售价一般不超过 200 元）`,
      source: GUIDELINES.SHANGHAI,
    });
  }
  const range = valueRangeFen(box);
  if (range && range.max > range.min * policy.maxValueSpread) {
    findings.push({
      rule: 'VALUE_SPREAD_WIDE',
      severity: 'ADVISED',
      message: `同一系列商品价值相差过大：最高 ${formatFen(range.max)} 是最低 ${formatFen(range.min)} 的 ${(range.max / range.min).toFixed(1)} 倍，超过 ${policy.maxValueSpread} 倍`,
      source: GUIDELINES.NATIONAL_DRAFT,
    });
  }
  const average = averageValueFen(box);
  // Compared in integer fen × percent: |average − price| > tolerance% of the price.
  if (average !== null && Math.abs(average - box.priceFen) * 100 > box.priceFen * policy.valuePriceTolerancePercent) {
    const percent = Math.round(((average - box.priceFen) / box.priceFen) * 100);
    findings.push({
      rule: 'VALUE_FAR_FROM_PRICE',
      severity: 'ADVISED',
      message: `按公示概率每抽平均商品价值 ${formatFen(average)}，与售价 ${formatFen(box.priceFen)} 相差 ${percent > 0 ? '+' : ''}${percent}%，超过 ±${policy.valuePriceTolerancePercent}%（盒内商品实际价值应与售价基本相当）`,
      source: GUIDELINES.SHANGHAI,
    });
  }
  return findings;
}

/** Which findings stop a publication: REQUIRED ones always, ADVISED ones too when the shop is strict. */
export const refusingFindings = (findings: readonly ComplianceFinding[], strict: boolean): ComplianceFinding[] =>
  findings.filter((finding) => strict || finding.severity === 'REQUIRED');

/** One line for a finding, with the rule's source named. */
export const formatFinding = (finding: ComplianceFinding): string => `${finding.message}（依据：${finding.source}）`;

/**
 * The minors' notice a shopper sees where they decide to buy (national guideline: 以显著方式提示 8 周岁及以上未成年人
 * 购买盲盒需取得相关监护人同意; never sold under 8). Adults see none; a shopper who has not declared an age (or is
 * not logged in: null) sees the rule itself, as they may be a minor. The server's age gate at order time
 * (users/shopper-profile.ts) enforces the same brackets.
 */
export type MinorsNotice = 'NOT_DECLARED' | 'UNDER_8' | 'GUARDIAN_CONSENT_NEEDED' | 'GUARDIAN_CONSENTED';

export function minorsNoticeFor(profile: { ageBracket: AgeBracket | null; guardianConsentAt: string | null } | null): MinorsNotice | null {
  if (!profile || profile.ageBracket === null) return 'NOT_DECLARED';
  if (profile.ageBracket === 'ADULT') return null;
  if (profile.ageBracket === 'UNDER_8') return 'UNDER_8';
  return profile.guardianConsentAt ? 'GUARDIAN_CONSENTED' : 'GUARDIAN_CONSENT_NEEDED';
}
