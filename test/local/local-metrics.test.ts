import { localMetrics, powertoolsMetricsDisabled } from '../../local/local-metrics';

describe('LOCAL_METRICS, where npm start puts the collector metrics', () => {
  it('keeps them off the terminal by default and prints EMF lines when it says emf', () => {
    expect(powertoolsMetricsDisabled(localMetrics({}))).toBe('true');
    expect(powertoolsMetricsDisabled(localMetrics({ LOCAL_METRICS: 'page' }))).toBe('true');
    expect(powertoolsMetricsDisabled(localMetrics({ LOCAL_METRICS: 'emf' }))).toBe('false');
  });

  it('refuses another value, naming the variable and the two it takes', () => {
    expect(() => localMetrics({ LOCAL_METRICS: 'stdout' })).toThrow(
      /^LOCAL_METRICS=stdout is not a metrics mode: use emf .* or page /,
    );
  });
});
