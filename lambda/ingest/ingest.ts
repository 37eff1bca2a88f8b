import type { RecordWriter } from '../delivery/record-writer';
import type { SuppressionCheck } from '../delivery/suppression-check';
import { DestinationWriters } from './destination-writers';
import { FailureRecords, type RefusedRequest, type RefusedRequestOutcome } from './failure-records';
import { type IngestOutcome, OutcomeTally } from './ingest-outcome';
import { type IngestRequest, receiptOf } from './ingest-request';
import { DEFAULT_INGEST_WINDOW, type IngestWindow, WindowRecords } from './ingest-window';
import { type PreparationDependencies, prepareMessage } from './prepare-message';
import { suppressedIdsOf } from './suppressed-ids';
import { WindowWrites } from './window-writes';

export type { RefusedRequestOutcome } from './failure-records';
export type { IngestOutcome, Rejection, UndeliveredReport } from './ingest-outcome';
export type { IngestRequest } from './ingest-request';
export { DEFAULT_INGEST_WINDOW, type IngestWindow } from './ingest-window';

export interface IngestDependencies extends PreparationDependencies {
  /** The writer of each destination id, built once per container. */
  readonly writers: ReadonlyMap<string, RecordWriter>;
  /**
   * The writer of each destination's failed-events stream, by destination id (only destinations
   * with a `failedStreamName`). @default none: refused events are only answered and counted
   */
  readonly failedWriters?: ReadonlyMap<string, RecordWriter>;
  /** @default {@link DEFAULT_INGEST_WINDOW} */
  readonly window?: IngestWindow;
  /**
   * The suppression lookup of sources that set `suppression`. @default none: such a source's
   * requests answer 503 (fail closed)
   */
  readonly suppression?: SuppressionCheck;
}

/**
 * The use case: validates each message, turns each valid one into an envelope per destination,
 * writes them all, and says what happened. Valid events are written even when others are refused.
 * A loop over prepared messages (./prepare-message.ts), windows written a few at a time
 * (./window-writes.ts, ./destination-writers.ts), refused messages kept as failure records
 * (./failure-records.ts), and the outcome they add up to (./ingest-outcome.ts).
 */
export class Ingest {
  private readonly writers: DestinationWriters;
  private readonly failureRecords: FailureRecords;

  constructor(private readonly deps: IngestDependencies) {
    this.writers = new DestinationWriters(deps.writers, deps.failedWriters);
    this.failureRecords = new FailureRecords(this.writers, deps.hashKey);
  }

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const { source } = request;
    const destinations = source.destinations;
    const { messages } = request;
    const receipt = receiptOf(request);
    const failedDestinations = this.writers.failedDestinationsOf(source);
    const windowLimits = this.deps.window ?? DEFAULT_INGEST_WINDOW;
    const written = new WindowWrites(windowLimits.inFlight);
    let window = new WindowRecords(destinations.length);
    const send = async () => {
      const full = window;
      window = new WindowRecords(destinations.length);
      await written.add(() =>
        this.writers.writeWindow(full, destinations, failedDestinations, request.deadline),
      );
    };

    const suppressedIds = await suppressedIdsOf(this.deps.suppression, request.source, request.messages);
    const tally = new OutcomeTally();

    const count = messages.length;
    try {
      for (let index = 0; index < count; index++) {
        const message = messages[index];
        // The parsed message is not needed once its records are built: a 6 MB request's events
        // are freed as they are written, instead of living until the last write is over.
        if (request.releaseMessages === true) (messages as unknown[])[index] = undefined;
        const prepared = prepareMessage(message, request, receipt, suppressedIds, this.deps);
        tally.count(prepared, index);
        if (prepared.kind === 'suppressed' || prepared.kind === 'filtered') continue;
        if (prepared.kind === 'rejected') {
          if (failedDestinations.length > 0) {
            window.addFailure(this.failureRecords.ofMessage(prepared, message, index, request, receipt));
            tally.failureKept();
          }
        } else {
          window.add(prepared.data, prepared.partitionKey, prepared.dedup);
        }
        if (window.isFull(windowLimits)) await send();
      }
      if (!window.isEmpty()) await send();
    } catch (error) {
      // No write outlives the invocation, even one whose request fails.
      await written.settled();
      throw error;
    }
    return tally.outcome(count, await written.all(), destinations, failedDestinations);
  }

  /**
   * Keeps the body of a request that could not be parsed at all (sent with a valid write key) as
   * one failure record in each failed-events stream of its source, with the same guarantees as
   * events: the caller answers the request's own error only once the record is durable.
   */
  keepRefusedRequest(refused: RefusedRequest): Promise<RefusedRequestOutcome> {
    return this.failureRecords.keepRefusedRequest(refused);
  }
}
