import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFound } from '../../domain-error';
import { boxModel, type BoxDoc } from '../../catalog/box.model';
import { catalogFileText, formatFileError, formatOfFile, readCatalogSource } from '../../catalog/catalog-files';
import { applyPlans, catalogImporter, planImport, type BoxImportPlan } from '../../catalog/catalog-import';
import { exportBox } from '../../catalog/catalog-export';
import { complianceSettingsOf } from '../../catalog/compliance-checks';
import { formatFinding } from '@blindbox/shared';
import { UsageError, type AdminCommand, type AdminContext, type CommandResult } from '../admin-command';

const ACTION_TEXT: Record<BoxImportPlan['action'], (version: number) => string> = {
  create: (version) => `created (version ${version})`,
  update: (version) => `updated (version ${version})`,
  'new-version': (version) => `new version ${version}: its odds or item values were changed while on sale`,
  unchanged: (version) => `unchanged (version ${version})`,
};

async function importBoxes(context: AdminContext, source: string): Promise<CommandResult> {
  const { boxes, errors } = await readCatalogSource(path.resolve(source));
  if (errors.length > 0) {
    const output = context.json ? JSON.stringify({ errors }, null, 2) : [`nothing imported: ${errors.length} error(s)`, ...errors.map(formatFileError)].join('\n');
    return { exitCode: 1, output };
  }
  const settings = complianceSettingsOf(context.container.config);
  // --strict turns the price checks' warnings into refusals for this import; COMPLIANCE_STRICT does it for every one.
  const compliance = { ...settings, strict: settings.strict || context.values.strict === true };
  const importer = catalogImporter({ db: context.container.db, seeds: context.container.fairness.seeds, compliance });
  const plans = await planImport(importer, boxes);
  await applyPlans(plans, context.apply, 'box import');
  const result = plans.map((plan) => ({
    slug: plan.slug,
    action: plan.action,
    version: plan.after.version,
    ...('setsMade' in plan.after && plan.after.setsMade ? { setsMade: plan.after.setsMade } : {}),
    warnings: plan.findings,
  }));
  const setsText = (made: number | undefined) => (made ? `; ${made} set(s) made, each committed before sale` : '');
  return context.print(result, () =>
    result
      .flatMap((box) => [`${box.slug}: ${ACTION_TEXT[box.action](box.version)}${setsText(box.setsMade)}`, ...box.warnings.map((finding) => `  warning: ${formatFinding(finding)}`)])
      .join('\n'),
  );
}

async function exportOne(context: AdminContext, slug: string): Promise<CommandResult> {
  const out = context.values.out;
  const exported = await exportBox(context.container.db, slug);
  const text = catalogFileText(exported.box, typeof out === 'string' ? formatOfFile(out) : 'yaml');
  if (typeof out !== 'string') return { exitCode: 0, output: text.trimEnd() };
  const file = path.resolve(out);
  for (const [relative, bytes] of exported.pictures) {
    const target = path.resolve(path.dirname(file), relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  await writeFile(file, text);
  return context.print({ file, pictures: exported.pictures.size }, () => `box ${slug} written to ${file} with ${exported.pictures.size} pictures beside it`);
}

async function retire(context: AdminContext, slug: string): Promise<CommandResult> {
  const Box = boxModel(context.container.db);
  const box = await Box.findOne({ slug }).lean<BoxDoc>();
  if (!box) throw new NotFound(`box ${slug}`);
  if (box.retiredAt) return context.print({ slug, retiredAt: box.retiredAt }, () => `box ${slug} was already retired on ${box.retiredAt?.toISOString()}`);
  const retiredAt = new Date();
  await context.apply(
    { command: 'box retire', target: `box:${slug}`, before: { active: box.active, retiredAt: null }, after: { active: false, retiredAt } },
    () => Box.updateOne({ _id: box._id, retiredAt: null }, { $set: { active: false, retiredAt } }),
  );
  return context.print({ slug, retiredAt }, () => `box ${slug} retired: no longer listed, no new orders (BOX_RETIRED); paid orders are still served`);
}

export const boxCommand: AdminCommand = {
  name: 'box',
  usage: `  box import <file|dir> [--strict]  create or update boxes from catalog files (one box per .yaml/.yml/.json,
                                    pictures beside it; see README "Running the catalog"); nothing is written
                                    unless every file is valid; price and value checks
                                    (docs/compliance.md) warn, --strict (or COMPLIANCE_STRICT)
                                    refuses; an item without valueFen is always refused
  box export <slug> [--out file]    the box as a catalog file (stdout; with --out, the file and its pictures)
  box retire <slug>                 no new orders, no longer listed; paid orders are still served`,
  options: { out: { type: 'string' }, strict: { type: 'boolean' } },
  destructive: (positionals) => positionals[0] === 'retire',
  async run(context) {
    const [action, target, ...rest] = context.positionals;
    if (!target || rest.length > 0) throw new UsageError('box takes an action (import, export, retire) and one argument');
    if (action === 'import') return importBoxes(context, target);
    if (action === 'export') return exportOne(context, target);
    if (action === 'retire') return retire(context, target);
    throw new UsageError(`unknown box action "${action}"`);
  },
};
