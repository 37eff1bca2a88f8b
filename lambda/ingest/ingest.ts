import { randomUUID } from 'node:crypto';
import type { SourceConfig } from '../config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../delivery/record-writer';
import { isThrottling } from '../delivery/record-writer';
import { type Receipt, toEnvelope } from '../events/envelope';
import { partitionKeyFor } from '../events/partition-key';
import { type ConsentPolicy, consentReason, filterReason, redact } from '../events/pipeline';
import type { EventType, JsonObject, SegmentEvent } from '../events/segment-event';
import { toSegmentRecord } from '../events/segment-record';
import { parseIsoTimestamp } from '../events/timestamps';
import { validateEvent } from '../events/validate-event';

/** One refused message: its position in the request, its `messageId` if it had one, and why. */
export interface Rejection {
  readonly index: number;
  readonly messageId: string | null;
  readonly reason: string;
}

/** A request's messages, after routing and authentication. */
export interface IngestRequest {
  readonly source: SourceConfig;
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
}

/** A destination's records that did not reach it. */
export interface UndeliveredReport {
  readonly destinationId: string;
  readonly count: number;
  readonly errorCodes: readonly string[];
}

/** What every outcome tells. */
interface OutcomeBase {
  readonly rejected: readonly Rejection[];
  /** Refused messages counted by kind of refusal (`missing_id`, `too_large`, ...), for metrics. */
  readonly rejectionCodes?: Readonly<Record<string, number>>;
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
  readonly maxEventBytes: number;
  /**
   * Consent each destination needs on top of its source's (`destinations[].consent`): an event
   * without it is not written there, and still written to the destinations it may go to.
   * @default none
   */
  readonly destinationConsent?: ReadonlyMap<string, ConsentPolicy>;
}

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
      readonly messageId: string | null;
      readonly reason: string;
      readonly tooLarge: boolean;
    };

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
        return;
      }
      prepared.data.forEach((data, position) => {
        if (data !== undefined) records[position]?.push({ data, partitionKey: prepared.partitionKey });
      });
    });

    const accepted = request.messages.length - rejected.length;
    if (accepted === 0) {
      return { kind: 'nothing-valid', rejected, rejectionCodes, allTooLarge: tooLarge === rejected.length };
    }
    const reports = await Promise.all(
      destinations.map((destinationId, position) =>
        this.write(destinationId, records[position] ?? [], request.deadline),
      ),
    );
    const undelivered = reports.flatMap((report, position): UndeliveredReport[] => {
      if (report.failed.length === 0) return [];
      const errorCodes = [...new Set(report.failed.map((failure) => failure.errorCode))];
      return [{ destinationId: destinations[position] as string, count: report.failed.length, errorCodes }];
    });
    if (undelivered.length === 0) return { kind: 'delivered', accepted, rejected, rejectionCodes, filtered };
    const throttled = undelivered.every((report) => report.errorCodes.every(isThrottling));
    return { kind: 'undelivered', accepted, rejected, rejectionCodes, undelivered, throttled };
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
    const messageId = event.messageId ?? null;
    const data: (Uint8Array | undefined)[] = [];
    let eventId: string;
    let records: (object | undefined)[];
    if (pipeline.recordFormat === 'segment') {
      eventId = event.messageId ?? randomUUID();
      const record = redact(toSegmentRecord(message as JsonObject, event, receipt, eventId), pipeline.redact);
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
      const envelope = redact(toEnvelope(event, receipt, firstDestination), pipeline.redact);
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
      if (typeof serialised === 'string')
        return { kind: 'rejected', code: 'unserialisable', messageId, reason: serialised, tooLarge: false };
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
