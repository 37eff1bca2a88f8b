import { randomUUID } from 'node:crypto';
import { type EventType, isJsonObject, type JsonObject, type SegmentEvent } from './segment-event';
import { correctedTimestamp, parseIsoTimestamp } from './timestamps';

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
}

/** What the request tells about every event in it. */
export interface Receipt {
  /** Epoch milliseconds when the request reached the collector. */
  readonly receivedAt: number;
  readonly sourceId: string;
  /** The client's IP as API Gateway saw it; becomes `context.ip` when the event has none. */
  readonly sourceIp?: string;
}

/** RudderStack's identify sends the traits only in `context.traits`; Segment's spec has them on top. */
function identifyTraitsInContext(event: SegmentEvent, context: JsonObject): JsonObject | undefined {
  return event.type === 'identify' && isJsonObject(context.traits) ? context.traits : undefined;
}

const isoOrNull = (millis: number | undefined): string | null =>
  millis === undefined ? null : new Date(millis).toISOString();

/**
 * Builds the envelope of a validated event for one destination. `event_id` is the client's
 * `messageId` (so retried sends can be de-duplicated downstream) or a new UUID.
 */
export function toEnvelope(event: SegmentEvent, receipt: Receipt, integrationId: string): Envelope {
  const timestamp = event.timestamp === undefined ? undefined : parseIsoTimestamp(event.timestamp);
  const sentAt = event.sentAt === undefined ? undefined : parseIsoTimestamp(event.sentAt);
  const context = event.context ?? {};
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
    received_at: new Date(receipt.receivedAt).toISOString(),
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
