import { REPLY_WITHIN_MS, replyDueAt } from './complaint-deadline';

const at = (hour: number) => new Date(Date.UTC(2026, 11, 4, hour));
const entry = (operateType: string, hour: number) => ({ operateType, operateTime: at(hour) });

test('a new complaint is due a day after it was made; an answer clears it; the next shopper message starts a new day', () => {
  expect(replyDueAt('PENDING', at(1), [])).toEqual(new Date(at(1).getTime() + REPLY_WITHIN_MS));
  expect(replyDueAt('PENDING', at(1), [entry('USER_CREATE_COMPLAINT', 1)])).toEqual(new Date(at(1).getTime() + REPLY_WITHIN_MS));
  expect(replyDueAt('PROCESSING', at(1), [entry('USER_CREATE_COMPLAINT', 1), entry('MERCHANT_RESPONSE', 3)])).toBeNull();
  const reopened = [entry('USER_CREATE_COMPLAINT', 1), entry('MERCHANT_RESPONSE', 3), entry('USER_RESPONSE', 5), entry('USER_RESPONSE', 7)];
  // From the first message still waiting, not the latest: the shopper writing twice does not buy the shop time.
  expect(replyDueAt('PROCESSING', at(1), reopened)).toEqual(new Date(at(5).getTime() + REPLY_WITHIN_MS));
});

test('system and platform messages neither start nor stop the clock, and a handled complaint waits on nobody', () => {
  const history = [entry('USER_CREATE_COMPLAINT', 1), entry('COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE', 2), entry('PLATFORM_RESPONSE', 3)];
  expect(replyDueAt('PENDING', at(1), history)).toEqual(new Date(at(1).getTime() + REPLY_WITHIN_MS));
  expect(replyDueAt('PROCESSING', at(1), [...history, entry('MERCHANT_APPROVE_REFUND', 4)])).toBeNull();
  expect(replyDueAt('PROCESSED', at(1), [entry('USER_RESPONSE', 9)])).toBeNull();
});
