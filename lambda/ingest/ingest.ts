import { randomUUID } from 'node:crypto';
import type { RuntimeSource } from '../config/runtime-config';
import { compiledTrackingPlan } from '../config/tracking-plans';
import type { DedupTag, OutgoingRecord, RecordWriter, WriteReport } from '../delivery/record-writer';
import { isThrottling } from '../delivery/record-writer';
import type { SuppressionCheck } from '../delivery/suppression-check';
import { enrichmentLookups } from '../events/enrichment-lookups';
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
import {
  type ConsentPolicy,
  consentReason,
  redact,
  runSourceStages,
  withoutRuleViolations,
} from '../events/pipeline';
import type { FieldHashKey, RedactionRules } from '../events/pipeline/field-rules';
import { type EventType, isJsonObject, type JsonObject, type SegmentEvent } from '../events/segment-event';
import { toSegmentRecord } from '../events/segment-record';
import { isSuppressed } from '../events/suppression';
import { parseIsoTimestamp } from '../events/timestamps';
import type { Violation } from '../events/tracking-plan';
import { validateEvent } from '../events/validate-event';
import { suppressedIdsOf } from './suppressed-ids';

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
  /**
   * Field rules already applied to `messages` (replay of failure records with `redaction.applied`):
   * tracking-plan violations on fields they changed (a hashed `format: email` field) are not held
   * against the event. @default none
   */
  readonly appliedRules?: RedactionRules;
  readonly receivedAt: number;
  readonly sourceIp?: string;
  /** Epoch ms by which delivery must be over, so the answer reaches the client in time. */
  readonly deadline: number;
  /** The HTTP request as failure records describe it. @default path "", sizes unknown */
  readonly request?: RequestFacts;
  /**
   * The caller hands `messages` over: each slot is cleared once its message is prepared, so the
   * parsed events of a large request are freed as their windows are written rather than at the
   * end. @default false: `messages` is left as it is
   */
  readonly releaseMessages?: boolean;
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
  /**
   * Field rules of each destination (`destinations[].redact`), applied after the source's to the
   * records written there. @default none
   */
  readonly destinationRedact?: ReadonlyMap<string, RedactionRules>;
  /** @default {@link DEFAULT_INGEST_WINDOW} */
  readonly window?: IngestWindow;
  /**
   * The suppression lookup of sources that set `suppression`. @default none: such a source's
   * requests answer 503 (fail closed)
   */
  readonly suppression?: SuppressionCheck;
  /**
   * The deployment's key for keyed `redact.hash` rules (docs/privacy.md).
   * @default none: an event a keyed hash rule applies to fails with `HashKeyMissingError`
   */
  readonly hashKey?: FieldHashKey;
}

/**
 * How much of a request is prepared before it is written: a request is written in windows of at
 * most `events` messages and `bytes` of records, `inFlight` windows at a time, so a 6 MB request's
 * serialised records never all exist at once (and its parsed messages, when the request lets them
 * go, are freed as they are written).
 */
export interface IngestWindow {
  /** Messages per window: one PutRecords call's worth. */
  readonly events: number;
  /** Bytes of records (every destination's, and failure records) per window. */
  readonly bytes: number;
  /** Windows being written at once; the next one is prepared meanwhile. */
  readonly inFlight: number;
}

/** 500 messages (one PutRecords call), 1 MiB, 4 at once (as many calls as one write makes at once). */
export const DEFAULT_INGEST_WINDOW: IngestWindow = { events: 500, bytes: 1024 * 1024, inFlight: 4 };

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
      /** Set when the source deduplicates and the event has a `messageId`. */
      readonly dedup?: DedupTag;
    }
  | { readonly kind: 'filtered'; readonly bot?: true }
  /** Its userId or anonymousId is suppressed: dropped before validation, so not even a failure record keeps it. */
  | { readonly kind: 'suppressed' }
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

/** The records of one window: each destination's (by position) and the failure records. */
class Window {
  readonly records: OutgoingRecord[][];
  readonly failures: OutgoingRecord[] = [];
  private messages = 0;
  private bytes = 0;

  constructor(destinations: number) {
    this.records = Array.from({ length: destinations }, () => []);
  }

  add(data: readonly (Uint8Array | undefined)[], partitionKey: string, dedup?: DedupTag): void {
    data.forEach((bytes, position) => {
      if (bytes === undefined) return;
      this.records[position]?.push(
        dedup === undefined ? { data: bytes, partitionKey } : { data: bytes, partitionKey, dedup },
      );
      this.bytes += bytes.byteLength;
    });
    this.messages++;
  }

  addFailure(record: OutgoingRecord): void {
    this.failures.push(record);
    this.bytes += record.data.byteLength;
    this.messages++;
  }

  isFull(limits: IngestWindow): boolean {
    return this.messages >= limits.events || this.bytes >= limits.bytes;
  }

  isEmpty(): boolean {
    return this.messages === 0;
  }
}

/** What the writes of one window reported: per destination (none if it had no records) and failed stream. */
interface WindowReports {
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
class WindowWrites {
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

  /** `record` with the field rules of the destination it goes to, applied after the source's. */
  private destinationRules<T extends object>(destinationId: string, record: T): T {
    const rules = this.deps.destinationRedact?.get(destinationId);
    return rules === undefined ? record : redact(record, rules, this.deps.hashKey);
  }

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const { source } = request;
    const destinations = source.destinations;
    const { messages } = request;
    const rejected: Rejection[] = [];
    const receipt: IngestReceipt = {
      receivedAt: request.receivedAt,
      receivedAtIso: new Date(request.receivedAt).toISOString(),
      sentAtMs: request.sentAt === undefined ? undefined : parseIsoTimestamp(request.sentAt),
      sourceId: source.id,
      sourceIp: request.sourceIp,
    };
    const failedDestinations = this.failedDestinationsOf(source);
    const windowLimits = this.deps.window ?? DEFAULT_INGEST_WINDOW;
    const written = new WindowWrites(windowLimits.inFlight);
    let window = new Window(destinations.length);
    const send = async () => {
      const full = window;
      window = new Window(destinations.length);
      await written.add(() => this.writeWindow(full, destinations, failedDestinations, request.deadline));
    };

    const suppressedIds = await suppressedIdsOf(this.deps.suppression, request.source, request.messages);
    let tooLarge = 0;
    let filtered = 0;
    let botsDropped = 0;
    let suppressed = 0;
    let keptFailures = 0;
    const rejectionCodes: Record<string, number> = Object.create(null);

    const count = messages.length;
    try {
      for (let index = 0; index < count; index++) {
        const message = messages[index];
        // The parsed message is not needed once its records are built: a 6 MB request's events
        // are freed as they are written, instead of living until the last write is over.
        if (request.releaseMessages === true) (messages as unknown[])[index] = undefined;
        const prepared = this.prepare(message, request, receipt, suppressedIds);
        if (prepared.kind === 'suppressed') {
          suppressed++;
          continue;
        }
        if (prepared.kind === 'filtered') {
          filtered++;
          if (prepared.bot) botsDropped++;
          continue;
        }
        if (prepared.kind === 'rejected') {
          if (prepared.tooLarge) tooLarge++;
          rejectionCodes[prepared.code] = (rejectionCodes[prepared.code] ?? 0) + 1;
          rejected.push({ index, messageId: prepared.messageId, reason: prepared.reason });
          if (failedDestinations.length > 0) {
            const failure: Failure = { reason: prepared.reason, code: prepared.code, stage: prepared.stage };
            const record = eventFailureRecord(
              {
                failure,
                message,
                index,
                sourceId: source.id,
                receivedAtIso: receipt.receivedAtIso as string,
                request: request.request ?? NO_REQUEST_FACTS,
                sentAt: request.sentAt,
              },
              { rules: source.pipeline.redact, key: this.deps.hashKey },
            );
            window.addFailure({
              data: serialiseFailureRecord(record),
              partitionKey: failurePartitionKey(message),
            });
            keptFailures++;
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
    const { reports, failedReports } = await written.all();

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
    const throttled = undelivered.every((report) => report.errorCodes.every(isThrottling));
    return { kind: 'undelivered', accepted, ...base, undelivered, throttled };
  }

  /**
   * Writes one window: each destination's records and the failure records, all at once. A write
   * that throws fails the window once the window's other writes are over.
   */
  private async writeWindow(
    window: Window,
    destinations: readonly string[],
    failedDestinations: readonly string[],
    deadline: number,
  ): Promise<WindowReports> {
    const [reports, failedReports] = await Promise.all([
      Promise.allSettled(
        destinations.map(async (destinationId, position) => {
          const records = window.records[position] ?? [];
          return records.length === 0 ? undefined : this.write(destinationId, records, deadline);
        }),
      ),
      Promise.allSettled([this.writeFailed(failedDestinations, window.failures, deadline)]),
    ]);
    for (const report of [...reports, ...failedReports]) {
      if (report.status === 'rejected') throw report.reason;
    }
    return {
      reports: reports.map((report) => (report.status === 'fulfilled' ? report.value : undefined)),
      failedReports: failedReports[0]?.status === 'fulfilled' ? failedReports[0].value : [],
    };
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
    const record = requestFailureRecord(
      {
        failure: refused.failure,
        body: refused.body,
        sourceId: refused.source.id,
        receivedAtIso: new Date(refused.receivedAt).toISOString(),
        request: refused.request,
      },
      { rules: refused.source.pipeline.redact, key: this.deps.hashKey },
    );
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
  private prepare(
    message: unknown,
    request: IngestRequest,
    receipt: IngestReceipt,
    suppressedIds: ReadonlySet<string>,
  ): Prepared {
    const { source } = request;
    if (suppressedIds.size > 0 && isJsonObject(message) && isSuppressed(message, suppressedIds)) {
      return { kind: 'suppressed' };
    }
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
    const batched = withBatchContext(validation.event, request.batchContext);
    const { pipeline } = source;
    const staged = runSourceStages(batched, pipeline, request.sourceIp, enrichmentLookups);
    if (staged.kind === 'filtered') return staged;
    const { event } = staged;
    const destinationConsent = this.deps.destinationConsent;
    const forwarded = source.destinations.map((destinationId) => {
      const consent = destinationConsent?.get(destinationId);
      return consent === undefined || consentReason(event, consent) === undefined;
    });
    if (!forwarded.includes(true)) return { kind: 'filtered' };
    let violations: readonly Violation[] | undefined;
    if (source.trackingPlan !== undefined) {
      const verdict = withoutRuleViolations(
        compiledTrackingPlan(source.trackingPlan).check(event),
        request.appliedRules,
      );
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
        this.deps.hashKey,
      );
      const context = (record.context ?? {}) as JsonObject;
      // Segment's shape has no routing fields: they go under context, one copy per destination.
      records = source.destinations.map((integration_id, position) =>
        forwarded[position]
          ? this.destinationRules(integration_id, {
              ...record,
              context: { ...context, [SEGMENT_ROUTING_FIELD]: { source_id: source.id, integration_id } },
            })
          : undefined,
      );
    } else {
      const [firstDestination = ''] = source.destinations;
      const built = toEnvelope(event, receipt, firstDestination);
      const envelope = redact(
        violations === undefined ? built : { ...built, violations },
        pipeline.redact,
        this.deps.hashKey,
      );
      eventId = envelope.event_id;
      // Built for the first destination; a copy per other destination (fan-out).
      records = source.destinations.map((integration_id, position) =>
        forwarded[position]
          ? this.destinationRules(integration_id, position === 0 ? envelope : { ...envelope, integration_id })
          : undefined,
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
    const dedup: DedupTag | undefined =
      source.dedup === undefined || messageId === null
        ? undefined
        : { sourceId: source.id, messageId, windowSeconds: source.dedup.windowHours * 3600 };
    return { kind: 'ready', data, partitionKey, ...(dedup === undefined ? {} : { dedup }) };
  }

  private write(destinationId: string, records: OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const writer = this.deps.writers.get(destinationId);
    if (writer === undefined) throw new Error(`No writer for destination "${destinationId}"`);
    return writer.write(records, deadline);
  }
}
