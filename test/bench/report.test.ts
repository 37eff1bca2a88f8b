import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchResults, writeReport } from '../../bench/report';

const latest = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'bench', 'results', 'latest.json'), 'utf8'),
) as BenchResults;

describe('the benchmark report', () => {
  it('renders the committed results with every placeholder filled', () => {
    const report = writeReport(latest);
    expect(report).not.toMatch(/\{\{|\}\}/);
    expect(report).toContain('## 1-3. Throughput: ceiling, our path, peer styles');
    expect(report).toContain(`at commit \`${latest.commit.commit}\``);
  });

  it('is the committed docs/benchmarks.md, so the document matches its template and results', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'benchmarks.md'), 'utf8');
    expect(writeReport(latest)).toBe(committed);
  });

  it('says "Not measured in this run" for every section a partial run left out', () => {
    const partial: BenchResults = {
      command: latest.command,
      date: latest.date,
      durationSeconds: 1,
      commit: latest.commit,
      machine: latest.machine,
      settings: latest.settings,
      only: ['cpu'],
      prices: latest.prices,
      ...(latest.cpu === undefined ? {} : { cpu: latest.cpu }),
    };
    const report = writeReport(partial);
    expect(report).not.toMatch(/\{\{|\}\}/);
    expect(report).toContain('Partial run (`BENCH_ONLY=cpu`)');
    expect(report).toContain('## 4. Handler CPU per event, I/O stubbed (fresh process)\n\n| what');
    expect(report.match(/Not measured in this run\./g)?.length).toBeGreaterThanOrEqual(7);
  });

  it('reports the tracking-plan cost per event as the median of same-round differences to no plan', () => {
    const report = writeReport({
      ...latest,
      planValidation: {
        batch: 500,
        plannedEvents: 4,
        plannedProperties: 20,
        violationsPerEvent: 2,
        microsPerEvent: {
          'no-plan': [10, 30, 20],
          'plan-valid': [12, 31, 30],
          'plan-flagged': [20, 40, 30],
          'plan-blocked': [15, 35, 25],
          'check-valid': [1, 1, 1],
          'check-violating': [3, 3, 3],
        },
        firstLoadWithPlanMs: 150,
        loadWithoutPlanMs: 20,
        compileMs: [40, 50, 60],
      },
    });
    expect(report).toContain('## 10. Tracking-plan validation cost per event\n\nWhat a tracking plan');
    expect(report).toContain(
      '- Valid events cost +2.0 us/event with the plan (10% of the ingest use case without one)',
    );
    expect(report).toContain(
      '- Tracking plan (section 10): +2.0 us/event to check valid events against a 4-event plan.',
    );
    expect(report).toContain('loading Ajv and compiling the plan took 130 ms');
  });

  it('reports the enrichment, field-rule and suppression cost per event as the median of same-round differences to none', () => {
    const report = writeReport({
      ...latest,
      enrichment: {
        batch: 500,
        addresses: 6,
        microsPerEvent: {
          none: [10, 30, 20],
          bot: [11, 31, 21],
          geo: [13, 32, 24],
          device: [12, 33, 22],
          all: [15, 36, 25],
          hash: [14, 34, 23],
          drop: [10.5, 30.5, 20.5],
          mask: [11, 31, 21],
          suppression: [10.2, 30.4, 20.3],
        },
      },
    });
    expect(report).toContain('| `geo: {}` (bundled country MMDB) | 24.0 | 13.0-32.0 | +3.0 us |');
    expect(report).toContain('- All three enrichments together cost +5.0 us/event.');
    expect(report).toContain(
      '| `redact.hash: ["*.email"]` (HMAC-SHA256 with the key, 2 fields/event) | 23.0 | 14.0-34.0 | +4.0 us |',
    );
    expect(report).toContain(
      '- Field rules on two `*.email` fields per event: `hash` +4.0, `drop` +0.5, `mask` +1.0 us/event; `suppression` with a warm cache +0.3 us/event.',
    );
  });

  it('names a missing result instead of reporting a wrong one', () => {
    const withoutSixMb: BenchResults = {
      ...latest,
      memory: (latest.memory ?? []).filter((entry) => entry.id !== '6mb'),
    };
    expect(() => writeReport(withoutSixMb)).toThrow('the results have no memory case "6mb"');
  });
});
