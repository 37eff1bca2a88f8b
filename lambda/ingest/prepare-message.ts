import { randomUUID } from 'node:crypto';
import { compiledTrackingPlan } from '../config/tracking-plans';
import type { DedupTag } from '../delivery/record-writer';
import { enrichmentLookups } from '../events/enrichment-lookups';
import { toEnvelope } from '../events/envelope';
import type { FailureStage } from '../events/failure-record';
import { partitionKeyFor } from '../events/partition-key';
import {
  type ConsentPolicy,
  consentReason,
  redact,
  runSourceStages,
  withoutRuleViolations,
} from '../events/pipeline';
import type { FieldHashKey, RedactionRules } from '../events/pipeline/field-rules';
import { isJsonObject, type JsonObject, type SegmentEvent } from '../events/segment-event';
import { toSegmentRecord } from '../events/segment-record';
import { isSuppressed } from '../events/suppression';
import type { Violation } from '../events/tracking-plan';
import { validateEvent } from '../events/validate-event';
import type { IngestReceipt, IngestRequest } from './ingest-request';

/** What preparing a message needs of the collector's wiring (part of `IngestDependencies`). */
export interface PreparationDependencies {
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
  /**
   * The deployment's key for keyed `redact.hash` rules (docs/privacy.md).
   * @default none: an event a keyed hash rule applies to fails with `HashKeyMissingError`
   */
  readonly hashKey?: FieldHashKey;
}

/** A message after {@link prepareMessage}. */
export type Prepared =
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

const unserialisable = (messageId: string | null, reason: string): Prepared => ({
  kind: 'rejected',
  code: 'unserialisable',
  stage: 'size',
  messageId,
  reason,
  tooLarge: false,
});

/** `record` with the field rules of the destination it goes to, applied after the source's. */
function destinationRules<T extends object>(
  deps: PreparationDependencies,
  destinationId: string,
  record: T,
): T {
  const rules = deps.destinationRedact?.get(destinationId);
  return rules === undefined ? record : redact(record, rules, deps.hashKey);
}

/**
 * One message, ready to write: validated, filtered by the source's pipeline, turned into its
 * record (envelope or Segment format), redacted, serialised once per destination, size-checked.
 */
export function prepareMessage(
  message: unknown,
  request: IngestRequest,
  receipt: IngestReceipt,
  suppressedIds: ReadonlySet<string>,
  deps: PreparationDependencies,
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
  const destinationConsent = deps.destinationConsent;
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
      deps.hashKey,
    );
    const context = (record.context ?? {}) as JsonObject;
    // Segment's shape has no routing fields: they go under context, one copy per destination.
    records = source.destinations.map((integration_id, position) =>
      forwarded[position]
        ? destinationRules(deps, integration_id, {
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
      deps.hashKey,
    );
    eventId = envelope.event_id;
    // Built for the first destination; a copy per other destination (fan-out).
    records = source.destinations.map((integration_id, position) =>
      forwarded[position]
        ? destinationRules(deps, integration_id, position === 0 ? envelope : { ...envelope, integration_id })
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
  if (largest > deps.maxEventBytes) {
    return {
      kind: 'rejected',
      code: 'too_large',
      stage: 'size',
      messageId,
      reason: `event is larger than ${deps.maxEventBytes} bytes (${largest} bytes as a record)`,
      tooLarge: true,
    };
  }
  const dedup: DedupTag | undefined =
    source.dedup === undefined || messageId === null
      ? undefined
      : { sourceId: source.id, messageId, windowSeconds: source.dedup.windowHours * 3600 };
  return { kind: 'ready', data, partitionKey, ...(dedup === undefined ? {} : { dedup }) };
}
