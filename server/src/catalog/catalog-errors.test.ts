import { Types } from 'mongoose';
import { SHORT_OF_UNITS_CODES } from '@blindbox/shared';
import { shortOfUnits } from './catalog-errors';

test('the codes the order door repeats to everyone are exactly the ones shortOfUnits answers', () => {
  const boxId = new Types.ObjectId();
  const codes = [shortOfUnits(boxId, 0, null), shortOfUnits(boxId, 2, new Date())].map((error) => error.code);
  expect(codes.sort()).toEqual([...SHORT_OF_UNITS_CODES].sort());
});
