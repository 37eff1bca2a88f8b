import { randomUUID } from 'node:crypto';
import type { RuntimeSource } from '../config/runtime-config';
import { compiledTrackingPlan } from '../config/tracking-plans';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../delivery/record-writer';
import { isThrottling } from '../delivery/record-writer';
import { type Receipt, toEnvelope } from '../events/envelope';
import {
  eventFailureRecord,
  type Failure,
  type FailureStage,
  failurePartitionKey,
  type RequestFacts,
  requestFailureRecord,
  serialiseFailureRecord,
} from '../events/failure-record';
import { partitionKeyFor } from '../events/partition-key';
import { type ConsentPolicy, consentReason, filterReason, redact } from '../events/pipeline';
import type { EventType, JsonObject, SegmentEvent } from '../events/segment-event';
import { toSegmentRecord } from '../events/segment-record';
import { parseIsoTimestamp } from '../events/timestamps';
import type { Violation } from '../events/tracking-plan';
import { validateEvent } from '../events/validate-event';

/** One refused message: its position in the request, its `messageId` if it had one, and why. */
export interface Rejection {
  readonly index: number;
  readonly messageId: string | null;
  readonly reason: string;
}

/** A request's messages, after routing and authentication. */
export interface IngestRequest {
  readonly source: RuntimeSource;
  readonly messages: readonly unknown[];
  /** Set for single-event endpoints (`/v1/track`): the type every message must have. */
  readonly endpointType?: EventType;
  /** The batch's `sentAt` (or RudderStack's `SentAt` header), for messages without their own. */
  readonly sentAt?: string;
  /** The batch's `context`, merged under each message's own. */
  readonly batchContext?: JsonObject;
  readonly receivedAt: number;
  readonly sourceIp?: string;
  /** Epoch ms by which delivery must be over, so the answer reaches the client in time. */
  readonly deadline: number;
  /** The HTTP request as failure records describe it. @default path "", sizes unknown */
  readonly request?: RequestFacts;
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
      /** Valid events the source's pipeline chose not to forward (consent, `integrations`). */
      readonly filtered?: number;
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

export interface IngestDependencies {
  /** The writer of each destination id, built once per container. */
  readonly writers: ReadonlyMap<string, RecordWriter>;
  /**
   * The writer of each destination's failed-events stream, by destination id (only destinations
   * with a `failedStreamName`). @default none: refused events are only answered and counted
   */
  readonly failedWriters?: ReadonlyMap<string, RecordWriter>;
  readonly maxEventBytes: number;
  /**
   * Consent each destination needs on top of its source's (`destinations[].consent`): an event
   * without it is not written there, and still written to the destinations it may go to.
   * @default none
   */
  readonly destinationConsent?: ReadonlyMap<string, ConsentPolicy>;
}

/** What became of the failure record of a request that could not be parsed. */
export type RefusedRequestOutcome =
  /** No destination of the source has a failed-events stream: nothing to keep. */
  | { readonly kind: 'not-kept' }
  /** Durably in every failed-events stream of the source. */
  | { readonly kind: 'kept' }
  /** Not durable in some failed-events stream: the client must send the request again. */
  | {
      readonly kind: 'undelivered';
      readonly undelivered: readonly UndeliveredReport[];
      readonly throttled: boolean;
    };

const NO_REQUEST_FACTS: RequestFacts = { path: '', contentType: null, contentEncoding: null, bytes: 0 };

/**
 * Where a consumer of the `segment` record format finds the routing an envelope carries at its
 * top level: `context.kinesis_event_forwarder.source_id` / `.integration_id`.
 */
export const SEGMENT_ROUTING_FIELD = 'kinesis_event_forwarder';

/** A record as UTF-8 JSON, or why it cannot be serialised (e.g. nesting too deep). */
function serialise(record: object): Uint8Array | string {
  try {
    return Buffer.from(JSON.stringify(record), 'utf8');
  } catch (error) {
    return `event cannot be serialised: ${(error as Error).message}`;
  }
}

function messageIdOf(message: unknown): string | null {
  const id = (message as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' && id !== '' ? id : null;
}

function withBatchContext(event: SegmentEvent, batchContext: JsonObject | undefined): SegmentEvent {
  if (batchContext === undefined) return event;
  return { ...event, context: { ...batchContext, ...event.context } };
}

/** What the request tells about every message in it, worked out once per request. */
interface IngestReceipt extends Receipt {
  /** The request's `sentAt` (batch or header), parsed once. */
  readonly sentAtMs?: number;
}

/** A message after `prepare`. */
type Prepared =
  | {
      readonly kind: 'ready';
      /** The record of each destination, by position; `undefined` where its consent keeps it out. */
      readonly data: readonly (Uint8Array | undefined)[];
      readonly partitionKey: string;
    }
  | { readonly kind: 'filtered' }
  | {
      readonly kind: 'rejected';
      /** Machine-readable kind of refusal, for metrics. */
      readonly code: string;
      readonly stage: FailureStage;
      readonly messageId: string | null;
      readonly reason: string;
      readonly tooLarge: boolean;
    };

/** The undelivered reports of a set of writes, one per destination with failed records. */
function undeliveredOf(
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

const unserialisable = (messageId: string | null, reason: string): Prepared => ({
  kind: 'rejected',
  code: 'unserialisable',
  stage: 'size',
  messageId,
  reason,
  tooLarge: false,
});

/**
 * The use case: validates each message, turns each valid one into an envelope per destination,
 * writes them all, and says what happened. Valid events are written even when others are refused.
 */
export class Ingest {
  constructor(private readonly deps: IngestDependencies) {}

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const { source } = request;
    const destinations = source.destinations;
    const records: OutgoingRecord[][] = destinations.map(() => []);
    const rejected: Rejection[] = [];
    const receipt: IngestReceipt = {
      receivedAt: request.receivedAt,
      receivedAtIso: new Date(request.receivedAt).toISOString(),
      sentAtMs: request.sentAt === undefined ? undefined : parseIsoTimestamp(request.sentAt),
      sourceId: source.id,
      sourceIp: request.sourceIp,
    };
    const failedDestinations = this.failedDestinationsOf(source);
    const failureRecords: OutgoingRecord[] = [];

    let tooLarge = 0;
    let filtered = 0;
    const rejectionCodes: Record<string, number> = Object.create(null);

    request.messages.forEach((message, index) => {
      const prepared = this.prepare(message, request, receipt);
      if (prepared.kind === 'filtered') {
        filtered++;
        return;
      }
      if (prepared.kind === 'rejected') {
        if (prepared.tooLarge) tooLarge++;
        rejectionCodes[prepared.code] = (rejectionCodes[prepared.code] ?? 0) + 1;
        rejected.push({ index, messageId: prepared.messageId, reason: prepared.reason });
        if (failedDestinations.length > 0) {
          const failure: Failure = { reason: prepared.reason, code: prepared.code, stage: prepared.stage };
          const record = eventFailureRecord({
            failure,
            message,
            index,
            sourceId: source.id,
            receivedAtIso: receipt.receivedAtIso as string,
            request: request.request ?? NO_REQUEST_FACTS,
            sentAt: request.sentAt,
          });
          failureRecords.push({
            data: serialiseFailureRecord(record),
            partitionKey: failurePartitionKey(message),
          });
        }
        return;
      }
      prepared.data.forEach((data, position) => {
        if (data !== undefined) records[position]?.push({ data, partitionKey: prepared.partitionKey });
      });
    });

    const accepted = request.messages.length - rejected.length;
    // Refused events are kept in the failed-events streams while the valid ones are written.
    const [reports, failedReports] = await Promise.all([
      accepted === 0
        ? []
        : Promise.all(
            destinations.map((destinationId, position) =>
              this.write(destinationId, records[position] ?? [], request.deadline),
            ),
          ),
      this.writeFailed(failedDestinations, failureRecords, request.deadline),
    ]);
    const undelivered = [
      ...undeliveredOf(reports, destinations, false),
      ...undeliveredOf(failedReports, failedDestinations, true),
    ];
    const keptInFailedStream =
      failureRecords.length > 0 && undelivered.every((report) => !report.failedStream);
    const base = { rejected, rejectionCodes, ...(keptInFailedStream ? { keptInFailedStream } : {}) };
    if (undelivered.length === 0) {
      if (accepted === 0)
        return { kind: 'nothing-valid', ...base, allTooLarge: tooLarge === rejected.length };
      return { kind: 'delivered', accepted, ...base, filtered };
    }
    const throttled = undelivered.every((report) => report.errorCodes.every(isThrottling));
    return { kind: 'undelivered', accepted, ...base, undelivered, throttled };
  }

  /**
   * Keeps the body of a request that could not be parsed at all (sent with a valid write key) as
   * one failure record in each failed-events stream of its source, with the same guarantees as
   * events: the caller answers the request's own error only once the record is durable.
   */
  async keepRefusedRequest(refused: {
    readonly source: IngestRequest['source'];
    readonly failure: Failure;
    readonly body: Uint8Array;
    readonly request: RequestFacts;
    readonly receivedAt: number;
    readonly deadline: number;
  }): Promise<RefusedRequestOutcome> {
    const failedDestinations = this.failedDestinationsOf(refused.source);
    if (failedDestinations.length === 0) return { kind: 'not-kept' };
    const record = requestFailureRecord({
      failure: refused.failure,
      body: refused.body,
      sourceId: refused.source.id,
      receivedAtIso: new Date(refused.receivedAt).toISOString(),
      request: refused.request,
    });
    const outgoing = { data: serialiseFailureRecord(record), partitionKey: failurePartitionKey(undefined) };
    const reports = await this.writeFailed(failedDestinations, [outgoing], refused.deadline);
    const undelivered = undeliveredOf(reports, failedDestinations, true);
    if (undelivered.length === 0) return { kind: 'kept' };
    return {
      kind: 'undelivered',
      undelivered,
      throttled: undelivered.every((report) => report.errorCodes.every(isThrottling)),
    };
  }

  /** The source's destinations that have a failed-events stream. */
  private failedDestinationsOf(source: IngestRequest['source']): string[] {
    const writers = this.deps.failedWriters;
    if (writers === undefined || writers.size === 0) return [];
    return source.destinations.filter((id) => writers.has(id));
  }

  private writeFailed(
    destinationIds: readonly string[],
    records: readonly OutgoingRecord[],
    deadline: number,
  ): Promise<WriteReport[]> {
    const writers = this.deps.failedWriters;
    if (records.length === 0 || writers === undefined) return Promise.resolve([]);
    return Promise.all(
      destinationIds.map((id) => (writers.get(id) as RecordWriter).write(records, deadline)),
    );
  }

  /**
   * One message, ready to write: validated, filtered by the source's pipeline, turned into its
   * record (envelope or Segment format), redacted, serialised once per destination, size-checked.
   */
  private prepare(message: unknown, request: IngestRequest, receipt: IngestReceipt): Prepared {
    const { source } = request;
    const validation = validateEvent(message, {
      endpointType: request.endpointType,
      sentAt: request.sentAt,
      sentAtMs: receipt.sentAtMs,
    });
    if (!validation.ok) {
      return {
        kind: 'rejected',
        code: validation.code,
        stage: 'validation',
        messageId: messageIdOf(message),
        reason: validation.reason,
        tooLarge: false,
      };
    }
    const event = withBatchContext(validation.event, request.batchContext);
    const { pipeline } = source;
    if (filterReason(event, pipeline) !== undefined) return { kind: 'filtered' };
    const destinationConsent = this.deps.destinationConsent;
    const forwarded = source.destinations.map((destinationId) => {
      const consent = destinationConsent?.get(destinationId);
      return consent === undefined || consentReason(event, consent) === undefined;
    });
    if (!forwarded.includes(true)) return { kind: 'filtered' };
    let violations: readonly Violation[] | undefined;
    if (source.trackingPlan !== undefined) {
      const verdict = compiledTrackingPlan(source.trackingPlan).check(event);
      if (verdict.kind === 'block') {
        return {
          kind: 'rejected',
          code: verdict.code,
          stage: 'tracking_plan',
          messageId: event.messageId ?? null,
          reason: verdict.reason,
          tooLarge: false,
        };
      }
      if (verdict.kind === 'flag') violations = verdict.violations;
    }
    const messageId = event.messageId ?? null;
    const data: (Uint8Array | undefined)[] = [];
    let eventId: string;
    let records: (object | undefined)[];
    if (pipeline.recordFormat === 'segment') {
      eventId = event.messageId ?? randomUUID();
      const segmentRecord = toSegmentRecord(message as JsonObject, event, receipt, eventId);
      const record = redact(
        violations === undefined ? segmentRecord : { ...segmentRecord, violations },
        pipeline.redact,
      );
      const context = (record.context ?? {}) as JsonObject;
      // Segment's shape has no routing fields: they go under context, one copy per destination.
      records = source.destinations.map((integration_id, position) =>
        forwarded[position]
          ? {
              ...record,
              context: { ...context, [SEGMENT_ROUTING_FIELD]: { source_id: source.id, integration_id } },
            }
          : undefined,
      );
    } else {
      const [firstDestination = ''] = source.destinations;
      const built = toEnvelope(event, receipt, firstDestination);
      const envelope = redact(violations === undefined ? built : { ...built, violations }, pipeline.redact);
      eventId = envelope.event_id;
      // Built for the first destination; a copy per other destination (fan-out).
      records = source.destinations.map((integration_id, position) =>
        forwarded[position] ? (position === 0 ? envelope : { ...envelope, integration_id }) : undefined,
      );
    }
    for (const record of records) {
      if (record === undefined) {
        data.push(undefined);
        continue;
      }
      const serialised = serialise(record);
      if (typeof serialised === 'string') return unserialisable(messageId, serialised);
      data.push(serialised);
    }
    const partitionKey = partitionKeyFor(
      { eventId, userId: event.userId ?? null, anonymousId: event.anonymousId ?? null },
      source.partitionKey,
    );
    const largest = Math.max(...data.map((bytes) => bytes?.byteLength ?? 0));
    if (largest > this.deps.maxEventBytes) {
      return {
        kind: 'rejected',
        code: 'too_large',
        stage: 'size',
        messageId,
        reason: `event is larger than ${this.deps.maxEventBytes} bytes (${largest} bytes as a record)`,
        tooLarge: true,
      };
    }
    return { kind: 'ready', data, partitionKey };
  }

  private write(destinationId: string, records: OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const writer = this.deps.writers.get(destinationId);
    if (writer === undefined) throw new Error(`No writer for destination "${destinationId}"`);
    return writer.write(records, deadline);
  }
}
