import type { Connection } from 'mongoose';
import { DEFAULT_COMPLIANCE_POLICY, checkBoxValues, formatFinding, refusingFindings, type ComplianceFinding, type CompliancePolicy } from '@blindbox/shared';
import type { Config } from '../config';
import { boxModel, type BoxDoc } from './box.model';
import { NotCompliant } from './catalog-errors';

/**
 * Where a box is published (`admin box import` and its dry run, the back office) and where a running shop is
 * checked (`admin doctor`), the same rule: shared/compliance.ts's checkBoxValues on the box's price and items.
 */
export interface ComplianceSettings {
  policy: CompliancePolicy;
  /** Advised findings refuse too (config COMPLIANCE_STRICT, `admin box import --strict`). */
  strict: boolean;
}

export const DEFAULT_COMPLIANCE: ComplianceSettings = { policy: DEFAULT_COMPLIANCE_POLICY, strict: false };

export function complianceSettingsOf(
  config: Pick<Config, 'COMPLIANCE_STRICT' | 'COMPLIANCE_MAX_BOX_PRICE_FEN' | 'COMPLIANCE_MAX_VALUE_SPREAD' | 'COMPLIANCE_VALUE_PRICE_TOLERANCE_PERCENT'>,
): ComplianceSettings {
  return {
    strict: config.COMPLIANCE_STRICT,
    policy: {
      maxBoxPriceFen: config.COMPLIANCE_MAX_BOX_PRICE_FEN,
      maxValueSpread: config.COMPLIANCE_MAX_VALUE_SPREAD,
      valuePriceTolerancePercent: config.COMPLIANCE_VALUE_PRICE_TOLERANCE_PERCENT,
    },
  };
}

export function boxFindings(box: Pick<BoxDoc, 'priceFen' | 'products'>, settings: ComplianceSettings = DEFAULT_COMPLIANCE): ComplianceFinding[] {
  return checkBoxValues(
    { priceFen: box.priceFen, items: box.products.map((product) => ({ id: product.productId, valueFen: product.valueFen, weight: product.weight })) },
    settings.policy,
  );
}

/**
 * Throws NotCompliant naming every finding that stops publishing `slug` (a missing value always: the national
 * guideline requires it; the others when strict); returns the rest, which the merchant is warned of.
 */
export function refuseNonCompliant(slug: string, findings: ComplianceFinding[], settings: ComplianceSettings = DEFAULT_COMPLIANCE): ComplianceFinding[] {
  const refusing = refusingFindings(findings, settings.strict);
  if (refusing.length > 0) {
    throw new NotCompliant(`box ${slug} 未通过合规检查，未导入：\n${refusing.map((finding) => `  - ${formatFinding(finding)}`).join('\n')}`, {
      rules: refusing.map((finding) => finding.rule).join(','),
    });
  }
  return findings;
}

/** The boxes on sale that break a rule, with what each breaks (admin doctor; the back office's list). */
export async function nonCompliantBoxes(db: Connection, settings: ComplianceSettings = DEFAULT_COMPLIANCE): Promise<Array<{ slug: string; name: string; findings: ComplianceFinding[] }>> {
  const boxes = await boxModel(db).find({ active: true }).select({ slug: 1, name: 1, priceFen: 1, products: 1 }).lean<Pick<BoxDoc, 'slug' | 'name' | 'priceFen' | 'products'>[]>();
  return boxes
    .map((box) => ({ slug: box.slug, name: box.name, findings: boxFindings(box, settings) }))
    .filter((box) => box.findings.length > 0)
    .sort((a, b) => a.slug.localeCompare(b.slug));
}
