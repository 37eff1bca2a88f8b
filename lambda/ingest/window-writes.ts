import type { WriteReport } from '../delivery/record-writer';

/** What the writes of one window reported: per destination (none if it had no records) and failed stream. */
export interface WindowReports {
  readonly reports: readonly (WriteReport | undefined)[];
  readonly failedReports: readonly WriteReport[];
}

/** Reports of several writes to one destination, as one: their failures together. */
function mergeReport(
  into: WriteReport | undefined,
  report: WriteReport | undefined,
): WriteReport | undefined {
  if (report === undefined) return into;
  if (into === undefined) return report;
  const duplicates = (into.duplicates ?? 0) + (report.duplicates ?? 0);
  return {
    failed: [...into.failed, ...report.failed],
    calls: into.calls + report.calls,
    ...(duplicates > 0 ? { duplicates } : {}),
  };
}

/**
 * The windows of a request being written: at most `limit` at once (adding one waits while that many
 * are in flight), their reports merged per destination. A write that throws fails the request once
 * every other write is over, so no write outlives the invocation.
 */
export class WindowWrites {
  private readonly inFlight = new Set<Promise<void>>();
  private reports: (WriteReport | undefined)[] = [];
  private failedReports: (WriteReport | undefined)[] = [];
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(write: () => Promise<WindowReports>): Promise<void> {
    const settled: Promise<void> = write()
      .then(
        (window) => {
          this.reports = window.reports.map((report, position) =>
            mergeReport(this.reports[position], report),
          );
          window.failedReports.forEach((report, position) => {
            this.failedReports[position] = mergeReport(this.failedReports[position], report);
          });
        },
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    if (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
  }

  /** Waits for every write in flight, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  /** Waits for every write; the merged reports (one per destination that was written to). */
  async all(): Promise<{ reports: WriteReport[]; failedReports: WriteReport[] }> {
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure.error;
    const written = (reports: (WriteReport | undefined)[]) =>
      reports.map((report) => report ?? { failed: [], calls: 0 });
    return { reports: written(this.reports), failedReports: written(this.failedReports) };
  }
}
