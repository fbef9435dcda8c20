import { boxModel } from '../../catalog/box.model';
import { NotFound } from '../../domain-error';
import { parseObjectId } from '../../object-id';
import { setActions } from '../../sets/set-actions';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';

async function boxOfSlug(context: AdminContext, slug: string | undefined) {
  if (!slug) throw new UsageError('name the box by its slug');
  const box = await boxModel(context.container.db).findOne({ slug }).select({ _id: 1, slug: 1 }).lean();
  if (!box) throw new NotFound(`box ${slug}`);
  return box;
}

function countOf(context: AdminContext): number {
  const count = Number(context.values.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new UsageError('--count must be a whole number from 1 to 1000');
  return count;
}

/** Whole-set boxes (端盒): make sets (each committed before sale), retire one (publishes it), list them. */
export const setsCommand: AdminCommand = {
  name: 'sets',
  usage: `  sets create <slug> --count N      make N new sets of a whole-set box, each shuffled and committed
  sets retire <setId>               take a set off sale and publish its arrangement (refused while positions are held)
  sets list <slug>                  the box's sets with sold / held / free positions and commitments`,
  options: { count: { type: 'string' } },
  // Retiring publishes the arrangement: what is left of the set can never be sold again.
  destructive: (positionals) => positionals[0] === 'retire',
  async run(context) {
    const [action, arg, ...rest] = context.positionals;
    if (rest.length > 0 || !arg) throw new UsageError('sets create <slug> --count N | sets retire <setId> | sets list <slug>');
    const { sets } = context.container;

    if (action === 'create') {
      const created = await setActions(sets).create(await boxOfSlug(context, arg), countOf(context), context.apply);
      if (!created) return context.print(null, () => '');
      const rows = created.map((set) => ({ id: set._id.toHexString(), number: set.number, positions: set.positions, commitment: set.commitment }));
      return context.print(rows, () => [`${arg}: ${rows.length} set(s) on sale`, ...rows.map((row) => `  #${row.number} ${row.id} ${row.positions} positions, commitment ${row.commitment}`)].join('\n'));
    }

    if (action === 'retire') {
      const setId = parseObjectId(arg, 'set');
      const retired = await setActions(sets).retire(setId, context.apply);
      if (!retired) return context.print(null, () => '');
      const shown = await sets.get(setId);
      return context.print(shown, () => `set #${shown.number} ${shown.state}: arrangement ${JSON.stringify(shown.arrangement)}, salt ${shown.salt}, commitment ${shown.commitment}`);
    }

    if (action === 'list') {
      const rows = await sets.list((await boxOfSlug(context, arg))._id);
      return context.print(rows, () =>
        rows.length === 0 ? `${arg}: no sets` : rows.map((row) => `#${row.number} ${row.id} ${row.state.padEnd(8)} sold ${row.sold} · held ${row.held} · free ${row.free}  ${row.commitment}`).join('\n'),
      );
    }
    throw new UsageError(`unknown sets action "${action ?? ''}"`);
  },
};
