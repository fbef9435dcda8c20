import { exactOdds } from './box-odds';

test('odds are shown as a reduced fraction of the total weight and as a percent', () => {
  expect(exactOdds(30, 100)).toEqual({ fraction: '3/10', percent: '30.00%' });
  expect(exactOdds(5, 95)).toEqual({ fraction: '1/19', percent: '5.26%' });
  expect(exactOdds(7, 7)).toEqual({ fraction: '1/1', percent: '100.00%' });
  expect(exactOdds(0, 90)).toEqual({ fraction: '0/1', percent: '0.00%' });
  expect(exactOdds(0, 0)).toEqual({ fraction: '0', percent: '0.00%' });
});
