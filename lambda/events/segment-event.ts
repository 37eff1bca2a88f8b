/** The six call types of the Segment spec. */
export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** A JSON object as parsed from a request body. */
export type JsonObject = { [key: string]: unknown };

/**
 * A Segment message that passed validation: ids are non-empty strings or absent,
 * timestamps are ISO-8601 strings or absent, and the object fields are objects or absent.
 */
export interface SegmentEvent {
  readonly type: EventType;
  readonly messageId?: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly event?: string;
  readonly name?: string;
  readonly groupId?: string;
  readonly previousId?: string;
  /** `timestamp`, or RudderStack's `originalTimestamp` when `timestamp` is absent. */
  readonly timestamp?: string;
  /** `timestamp` in epoch milliseconds, as validation parsed it. */
  readonly timestampMs?: number;
  readonly sentAt?: string;
  /** `sentAt` in epoch milliseconds, as validation parsed it. */
  readonly sentAtMs?: number;
  readonly context?: JsonObject;
  readonly properties?: JsonObject;
  readonly traits?: JsonObject;
  /** Which destinations the client wants the event sent to (`{ "Amazon Kinesis": false }`). */
  readonly integrations?: JsonObject;
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
