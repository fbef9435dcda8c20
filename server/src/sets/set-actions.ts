import type { Types } from 'mongoose';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { BoxSetDoc } from './set.model';
import type { SetService } from './set.service';

/**
 * Making and retiring sets on someone's behalf (`admin sets`, the console): the set service decides every rule
 * (retiring's included); this only records the change with its actor. A CLI dry run answers null.
 */
export function setActions(sets: SetService) {
  return {
    create: (box: { _id: Types.ObjectId; slug: string }, count: number, change: ChangeRecorder) =>
      change(
        { command: 'sets create', target: `box:${box.slug}`, before: null, after: (done: BoxSetDoc[]) => ({ sets: done.map((set) => ({ number: set.number, commitment: set.commitment })) }) },
        () => sets.create(box._id, count),
      ),

    async retire(setId: Types.ObjectId, change: ChangeRecorder): Promise<BoxSetDoc | null> {
      const before = await sets.get(setId);
      return change({ command: 'sets retire', target: `set:${setId.toHexString()}`, before: { state: before.state }, after: (done: BoxSetDoc) => ({ state: done.state }) }, () => sets.retire(setId));
    },
  };
}
