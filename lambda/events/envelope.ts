import { randomUUID } from 'node:crypto';
import { type EventType, isJsonObject, type JsonObject, type SegmentEvent } from './segment-event';
import { correctedTimestamp, parseIsoTimestamp } from './timestamps';
import type { Violation } from './tracking-plan';

/**
 * The one JSON document written to Kinesis for each accepted event (schema: docs/envelope.md).
 * Absent values are `null`, so every record has every field.
 */
export interface Envelope {
  readonly event_id: string;
  readonly type: EventType;
  readonly event: string | null;
  readonly name: string | null;
  readonly anonymous_id: string | null;
  readonly user_id: string | null;
  readonly group_id: string | null;
  readonly previous_id: string | null;
  /** When the event happened, on the server's clock (client clock skew removed). */
  readonly timestamp: string;
  /** The client's own `timestamp` (or `originalTimestamp`), as sent. */
  readonly original_timestamp: string | null;
  readonly sent_at: string | null;
  /** When the collector received the request. */
  readonly received_at: string;
  readonly context: JsonObject;
  readonly properties: JsonObject | null;
  readonly traits: JsonObject | null;
  readonly source_id: string;
  /** The id of the destination (stream) this copy of the event is written to. */
  readonly integration_id: string;
  /**
   * How the event breaks its source's tracking plan, when the plan flags violations (`flag` mode).
   * The one field that is absent rather than `null`: only flagged events have it.
   */
  readonly violations?: readonly Violation[];
}

/** What the request tells about every event in it. */
export interface Receipt {
  /** Epoch milliseconds when the request reached the collector. */
  readonly receivedAt: number;
  /** `receivedAt` as ISO-8601, computed once per request. */
  readonly receivedAtIso?: string;
  readonly sourceId: string;
  /** The client's IP as API Gateway saw it; becomes `context.ip` when the event has none. */
  readonly sourceIp?: string;
}

/** RudderStack's identify sends the traits only in `context.traits`; Segment's spec has them on top. */
function identifyTraitsInContext(event: SegmentEvent, context: JsonObject): JsonObject | undefined {
  return event.type === 'identify' && isJsonObject(context.traits) ? context.traits : undefined;
}

let lastIso: { readonly millis: number; readonly iso: string } | undefined;

/** ISO-8601 of epoch ms; remembers the last one, since a batch's events share their `sentAt`. */
function iso(millis: number): string {
  if (lastIso?.millis !== millis) lastIso = { millis, iso: new Date(millis).toISOString() };
  return lastIso.iso;
}

const isoOrNull = (millis: number | undefined): string | null => (millis === undefined ? null : iso(millis));

const millisOf = (text: string | undefined, parsed: number | undefined): number | undefined =>
  parsed ?? (text === undefined ? undefined : parseIsoTimestamp(text));

/**
 * The client's context without `kinesis_event_forwarder.overflow` and `.replayed_at`: only the
 * collector's hot-key writer (lambda/delivery/hot-key-record-writer.ts) and `npm run replay`
 * (tools/replay-archive/) set those marks, so a consumer can trust them.
 */
function withoutCollectorMarks(context: JsonObject): JsonObject {
  const forwarder = context.kinesis_event_forwarder;
  if (!isJsonObject(forwarder) || !('overflow' in forwarder || 'replayed_at' in forwarder)) return context;
  const { overflow: _clientMark, replayed_at: _clientReplay, ...rest } = forwarder;
  return { ...context, kinesis_event_forwarder: rest };
}

/**
 * Builds the envelope of a validated event for one destination. `event_id` is the client's
 * `messageId` (so retried sends can be de-duplicated downstream) or a new UUID.
 */
export function toEnvelope(event: SegmentEvent, receipt: Receipt, integrationId: string): Envelope {
  const timestamp = millisOf(event.timestamp, event.timestampMs);
  const sentAt = millisOf(event.sentAt, event.sentAtMs);
  const context = withoutCollectorMarks(event.context ?? {});
  return {
    event_id: event.messageId ?? randomUUID(),
    type: event.type,
    event: event.event ?? null,
    name: event.name ?? null,
    anonymous_id: event.anonymousId ?? null,
    user_id: event.userId ?? null,
    group_id: event.groupId ?? null,
    previous_id: event.previousId ?? null,
    timestamp: new Date(correctedTimestamp(receipt.receivedAt, timestamp, sentAt)).toISOString(),
    original_timestamp: event.timestamp ?? null,
    sent_at: isoOrNull(sentAt),
    received_at: receipt.receivedAtIso ?? iso(receipt.receivedAt),
    context:
      (context.ip === undefined || context.ip === null || context.ip === '') && receipt.sourceIp
        ? { ...context, ip: receipt.sourceIp }
        : context,
    properties: event.properties ?? null,
    traits: event.traits ?? identifyTraitsInContext(event, context) ?? null,
    source_id: receipt.sourceId,
    integration_id: integrationId,
  };
}
