import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createMetrics } from '../../../lambda/observability/metrics';

/** What `act` writes to stdout and through console.warn (Powertools' two outlets). */
function outputOf(act: () => void): string[] {
  const lines: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  const warn = jest.spyOn(console, 'warn').mockImplementation((...content) => {
    lines.push(content.join(' '));
  });
  try {
    act();
  } finally {
    stdout.mockRestore();
    warn.mockRestore();
  }
  return lines;
}

describe('createMetrics', () => {
  it('prints an EMF line per publish by default (the deployed function)', () => {
    const metrics = createMetrics({});

    const lines = outputOf(() => {
      metrics.addMetric('EventsAccepted', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    });

    expect(lines.join('')).toMatch(/"_aws".*"EventsAccepted":1/);
  });

  it('prints nothing with POWERTOOLS_METRICS_DISABLED=true: no EMF line, no single metric, no warning of an empty publish', () => {
    const metrics = createMetrics({ POWERTOOLS_METRICS_DISABLED: 'true' });

    const lines = outputOf(() => {
      metrics.addMetric('EventsAccepted', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      metrics.publishStoredMetrics();
      const single = metrics.singleMetric();
      single.addDimension('reason', 'missing_event');
      single.addMetric('EventsRejected', MetricUnit.Count, 1);
    });

    expect(lines).toEqual([]);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
