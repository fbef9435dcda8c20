import { ApiError, describeError } from './api-error';

test('the limits and the age gate are explained by their code, anything else by the server message', () => {
  expect(describeError(new ApiError(422, 'AGE_NOT_DECLARED', 'declare your age bracket before ordering'))).toContain('年龄');
  expect(describeError(new ApiError(409, 'DAILY_SPEND_LIMIT_REACHED', 'at most 200000 fen'))).toContain('今日消费上限');
  expect(describeError(new ApiError(409, 'SOLD_OUT', 'box is sold out'))).toBe('box is sold out');
});
