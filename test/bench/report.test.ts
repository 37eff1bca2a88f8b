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

  it('names a missing result instead of reporting a wrong one', () => {
    const withoutSixMb: BenchResults = {
      ...latest,
      memory: (latest.memory ?? []).filter((entry) => entry.id !== '6mb'),
    };
    expect(() => writeReport(withoutSixMb)).toThrow('the results have no memory case "6mb"');
  });
});
