import { parseObjectId } from '../../object-id';
import { revealTimeOf, toPublicSeed } from '../../fairness/server-seeds';
import { UsageError, type AdminCommand } from '../admin-command';

export const rotateSeedCommand: AdminCommand = {
  name: 'rotate-seed',
  usage: `  rotate-seed <boxId>               commit the box's next server seed and retire the one in use (revealed
                                    once no order that took it can still be paid)`,
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('rotate-seed takes exactly one <boxId>');
    const boxId = parseObjectId(context.positionals[0], 'box');
    const rotated = await context.apply(
      { command: 'rotate-seed', target: `box:${boxId.toHexString()}`, before: null, after: (done: Awaited<ReturnType<typeof rotate>>) => ({ seed: done.current._id, hash: done.current.hash, retired: done.retired?._id ?? null }) },
      rotate,
    );
    if (!rotated) return context.print(null, () => '');
    const { retired, current } = rotated;
    const result = { retired: retired && toPublicSeed(retired), current: toPublicSeed(current) };
    return context.print(result, () =>
      [
        `box ${boxId.toHexString()}: seed ${current._id} in use, hash ${current.hash}`,
        retired ? `  retired ${retired._id} (hash ${retired.hash}); revealed from ${revealTimeOf(retired)?.toISOString()}` : '  no seed was in use',
      ].join('\n'),
    );

    function rotate() {
      return context.container.fairness.seeds.rotate(boxId);
    }
  },
};
