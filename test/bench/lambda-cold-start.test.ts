import { roundOrder } from '../../bench/lambda-cold-start';

describe('the cold-start benchmark rounds', () => {
  const cases = [
    { label: 'trivial', cpuQuota: false },
    { label: 'collector', cpuQuota: false },
    { label: 'floor', cpuQuota: false },
    { label: 'trivial 128', cpuQuota: true },
    { label: 'collector 128', cpuQuota: true },
  ];
  const labels = (run: number) => roundOrder(cases, run).map((entry) => entry.label);

  it('rotates the rows without CPU quota by one place per round, so no row always runs first, and keeps the quota rows last', () => {
    expect(labels(0)).toEqual(['trivial', 'collector', 'floor', 'trivial 128', 'collector 128']);
    expect(labels(1)).toEqual(['collector', 'floor', 'trivial', 'trivial 128', 'collector 128']);
    expect(labels(2)).toEqual(['floor', 'trivial', 'collector', 'trivial 128', 'collector 128']);
    expect(labels(3)).toEqual(labels(0));
  });
});
