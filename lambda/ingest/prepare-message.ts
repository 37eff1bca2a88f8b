import { randomUUID } from 'node:crypto';
import { compiledTrackingPlan } from '../config/tracking-plans';
import type { DedupTag } from '../delivery/record-writer';
import { enrichmentLookups } from '../events/enrichment-lookups';
import { toEnvelope } from '../events/envelope';
import type { FailureStage } from '../events/failure-record';
import type { FieldHashKey, RedactionRules } from '../events/field-rules';
import { partitionKeyFor } from '../events/partition-key';
import {
  type ConsentPolicy,
  consentReason,
  redact,
  runSourceStages,
  withoutRuleViolations,
} from '../events/pipeline';
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

type Rejected = Extract<Prepared, { readonly kind: 'rejected' }>;

/**
 * The tracking plan's say on a valid event: refused (`block`, at stage `tracking_plan`), or passed
 * with the violations a `flag` marks it with. Violations on fields rules already changed
 * (`request.appliedRules`) do not count.
 */
function planCheck(
  event: SegmentEvent,
  request: IngestRequest,
): Rejected | { readonly kind: 'checked'; readonly violations?: readonly Violation[] } {
  const { trackingPlan } = request.source;
  if (trackingPlan === undefined) return { kind: 'checked' };
  const verdict = withoutRuleViolations(
    compiledTrackingPlan(trackingPlan).check(event),
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
  return verdict.kind === 'flag' ? { kind: 'checked', violations: verdict.violations } : { kind: 'checked' };
}

/**
 * The record of each destination of the source (by position; `undefined` where `forwarded` says
 * its consent keeps the event out), in the source's record format, with the source's field rules
 * and then the destination's applied; and the event id they carry.
 */
function recordsOf(
  message: unknown,
  event: SegmentEvent,
  receipt: IngestReceipt,
  source: IngestRequest['source'],
  forwarded: readonly boolean[],
  violations: readonly Violation[] | undefined,
  deps: PreparationDependencies,
): { readonly eventId: string; readonly records: readonly (object | undefined)[] } {
  const { pipeline } = source;
  if (pipeline.recordFormat === 'segment') {
    const eventId = event.messageId ?? randomUUID();
    const segmentRecord = toSegmentRecord(message as JsonObject, event, receipt, eventId);
    const record = redact(
      violations === undefined ? segmentRecord : { ...segmentRecord, violations },
      pipeline.redact,
      deps.hashKey,
    );
    const context = (record.context ?? {}) as JsonObject;
    // Segment's shape has no routing fields: they go under context, one copy per destination.
    const records = source.destinations.map((integration_id, position) =>
      forwarded[position]
        ? destinationRules(deps, integration_id, {
            ...record,
            context: { ...context, [SEGMENT_ROUTING_FIELD]: { source_id: source.id, integration_id } },
          })
        : undefined,
    );
    return { eventId, records };
  }
  const [firstDestination = ''] = source.destinations;
  const built = toEnvelope(event, receipt, firstDestination);
  const envelope = redact(
    violations === undefined ? built : { ...built, violations },
    pipeline.redact,
    deps.hashKey,
  );
  // Built for the first destination; a copy per other destination (fan-out).
  const records = source.destinations.map((integration_id, position) =>
    forwarded[position]
      ? destinationRules(deps, integration_id, position === 0 ? envelope : { ...envelope, integration_id })
      : undefined,
  );
  return { eventId: envelope.event_id, records };
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
  const staged = runSourceStages(batched, source.pipeline, request.sourceIp, enrichmentLookups);
  if (staged.kind === 'filtered') return staged;
  const { event } = staged;
  const destinationConsent = deps.destinationConsent;
  const forwarded = source.destinations.map((destinationId) => {
    const consent = destinationConsent?.get(destinationId);
    return consent === undefined || consentReason(event, consent) === undefined;
  });
  if (!forwarded.includes(true)) return { kind: 'filtered' };
  const checked = planCheck(event, request);
  if (checked.kind === 'rejected') return checked;
  const messageId = event.messageId ?? null;
  const { eventId, records } = recordsOf(
    message,
    event,
    receipt,
    source,
    forwarded,
    checked.violations,
    deps,
  );
  const data: (Uint8Array | undefined)[] = [];
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
