import type { WriteReport } from '../delivery/record-writer';
import { isThrottling } from '../delivery/record-writer';
import type { Prepared } from './prepare-message';

/** One refused message: its position in the request, its `messageId` if it had one, and why. */
export interface Rejection {
  readonly index: number;
  readonly messageId: string | null;
  readonly reason: string;
}

/** A destination's records that did not reach it. */
export interface UndeliveredReport {
  readonly destinationId: string;
  /** Set when the records are failure records bound for the destination's failed-events stream. */
  readonly failedStream?: true;
  readonly count: number;
  readonly errorCodes: readonly string[];
  /** The spill store could not keep them either (it was tried and failed). */
  readonly spillFailed?: true;
}

/** What every outcome tells. */
interface OutcomeBase {
  readonly rejected: readonly Rejection[];
  /** Refused messages counted by kind of refusal (`missing_id`, `too_large`, ...), for metrics. */
  readonly rejectionCodes?: Readonly<Record<string, number>>;
  /** Every refused message is durably in the failed-events stream of each destination that has one. */
  readonly keptInFailedStream?: boolean;
}

export type IngestOutcome =
  /** Every accepted event is durably in every destination. */
  | (OutcomeBase & {
      readonly kind: 'delivered';
      readonly accepted: number;
      /** Valid events the source's pipeline chose not to forward (consent, `integrations`, bots). */
      readonly filtered?: number;
      /** Of `filtered`, the events of bots a source drops (`pipeline.enrich.bot: drop`). */
      readonly botsDropped?: number;
      /**
       * Accepted events not written again because an earlier copy is durable (`dedup`): the most
       * of any one destination. Included in `accepted`.
       */
      readonly duplicates?: number;
      /** Accepted events dropped because their userId or anonymousId is suppressed. Included in `accepted`. */
      readonly suppressed?: number;
    })
  /** No message was valid: nothing to write, nothing a retry could change. */
  | (OutcomeBase & { readonly kind: 'nothing-valid'; readonly allTooLarge: boolean })
  /** Some accepted events are not in some destination; the client must send them again. */
  | (OutcomeBase & {
      readonly kind: 'undelivered';
      readonly accepted: number;
      readonly undelivered: readonly UndeliveredReport[];
      /** Every failure was throttling (answer 429) rather than a fault (answer 503). */
      readonly throttled: boolean;
    });

/** The undelivered reports of a set of writes, one per destination with failed records. */
export function undeliveredOf(
  reports: readonly WriteReport[],
  destinationIds: readonly string[],
  failedStream: boolean,
): UndeliveredReport[] {
  return reports.flatMap((report, position): UndeliveredReport[] => {
    if (report.failed.length === 0) return [];
    const errorCodes = [...new Set(report.failed.map((failure) => failure.errorCode))];
    return [
      {
        destinationId: destinationIds[position] as string,
        ...(failedStream ? { failedStream: true as const } : {}),
        count: report.failed.length,
        errorCodes,
        ...(report.failed.some((failure) => failure.spillFailed) ? { spillFailed: true as const } : {}),
      },
    ];
  });
}

/** Every failure of `undelivered` was throttling (answer 429) rather than a fault (answer 503). */
export const throttledOnly = (undelivered: readonly UndeliveredReport[]): boolean =>
  undelivered.every((report) => report.errorCodes.every(isThrottling));

/**
 * What became of a request's messages, counted as they are prepared, and the outcome they make
 * once every window is written.
 */
export class OutcomeTally {
  private readonly rejected: Rejection[] = [];
  private readonly rejectionCodes: Record<string, number> = Object.create(null);
  private tooLarge = 0;
  private filtered = 0;
  private botsDropped = 0;
  private suppressed = 0;
  private keptFailures = 0;

  /** Counts the message at `index` as `prepared` says (a `ready` one counts as accepted at the end). */
  count(prepared: Prepared, index: number): void {
    if (prepared.kind === 'suppressed') {
      this.suppressed++;
    } else if (prepared.kind === 'filtered') {
      this.filtered++;
      if (prepared.bot) this.botsDropped++;
    } else if (prepared.kind === 'rejected') {
      if (prepared.tooLarge) this.tooLarge++;
      this.rejectionCodes[prepared.code] = (this.rejectionCodes[prepared.code] ?? 0) + 1;
      this.rejected.push({ index, messageId: prepared.messageId, reason: prepared.reason });
    }
  }

  /** Counts a refused message whose failure record is written with its window. */
  failureKept(): void {
    this.keptFailures++;
  }

  /**
   * The outcome of a request of `count` messages, from the merged reports of its windows: per
   * destination (`destinations`, by position) and per failed-events stream (`failedDestinations`).
   */
  outcome(
    count: number,
    {
      reports,
      failedReports,
    }: { readonly reports: readonly WriteReport[]; readonly failedReports: readonly WriteReport[] },
    destinations: readonly string[],
    failedDestinations: readonly string[],
  ): IngestOutcome {
    const { rejected, rejectionCodes, tooLarge, filtered, botsDropped, suppressed, keptFailures } = this;
    const accepted = count - rejected.length;
    const undelivered = [
      ...undeliveredOf(reports, destinations, false),
      ...undeliveredOf(failedReports, failedDestinations, true),
    ];
    const keptInFailedStream = keptFailures > 0 && undelivered.every((report) => !report.failedStream);
    const base = { rejected, rejectionCodes, ...(keptInFailedStream ? { keptInFailedStream } : {}) };
    if (undelivered.length === 0) {
      if (accepted === 0)
        return { kind: 'nothing-valid', ...base, allTooLarge: tooLarge === rejected.length };
      const duplicates = Math.max(0, ...reports.map((report) => report.duplicates ?? 0));
      return {
        kind: 'delivered',
        accepted,
        ...base,
        filtered,
        ...(botsDropped > 0 ? { botsDropped } : {}),
        ...(duplicates > 0 ? { duplicates } : {}),
        ...(suppressed > 0 ? { suppressed } : {}),
      };
    }
    return { kind: 'undelivered', accepted, ...base, undelivered, throttled: throttledOnly(undelivered) };
  }
}
