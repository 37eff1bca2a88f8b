import {
  EVENT_TYPES,
  type EventType,
  isEventType,
  isJsonObject,
  type JsonObject,
  type SegmentEvent,
} from './segment-event';
import { parseIsoTimestamp } from './timestamps';

/** A machine-readable kind of refusal, for metrics (`EventsRejected` by `reason`). */
export type RefusalCode =
  | 'not_an_object'
  | 'invalid_type'
  | 'missing_id'
  | 'missing_field'
  | 'invalid_field'
  | 'invalid_timestamp';

/** The outcome of validating one message: the typed event, or the precise reason it was refused. */
export type EventValidation =
  | { readonly ok: true; readonly event: SegmentEvent }
  | { readonly ok: false; readonly reason: string; readonly code: RefusalCode };

/** What the request around a message tells about it. */
export interface ValidationContext {
  /** The type implied by a single-event endpoint (`/v1/track` -> `track`); absent for batches. */
  readonly endpointType?: EventType;
  /** The batch's (or RudderStack's `SentAt` header's) `sentAt`, used when the message has none. */
  readonly sentAt?: string;
  /** `sentAt` parsed once for the whole request (epoch ms). */
  readonly sentAtMs?: number;
}

class Refusal {
  constructor(
    readonly reason: string,
    readonly code: RefusalCode,
  ) {}
}

const refuse = (reason: string, code: RefusalCode = 'invalid_field'): never => {
  throw new Refusal(reason, code);
};

/**
 * An id field: a non-empty string, a finite number (turned into its string form, as Segment does),
 * or absent. `""` and `null` count as absent: RudderStack sends `userId: ""` for anonymous users.
 */
function optionalId(message: JsonObject, field: string): string | undefined {
  const value = message[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return refuse(`${field} must be a string`);
}

function optionalString(message: JsonObject, field: string): string | undefined {
  const value = message[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : refuse(`${field} must be a string`);
}

function optionalObject(message: JsonObject, field: string): JsonObject | undefined {
  const value = message[field];
  if (value === undefined || value === null) return undefined;
  return isJsonObject(value) ? value : refuse(`${field} must be an object`);
}

/** An ISO-8601 timestamp field, with its value in epoch milliseconds, or absent. */
function optionalTimestamp(message: JsonObject, field: string): { text: string; ms: number } | undefined {
  const value = message[field];
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'string' ? parseIsoTimestamp(value) : undefined;
  if (ms !== undefined) return { text: value as string, ms };
  return refuse(
    `${field} must be an ISO-8601 date-time string (e.g. 2024-01-02T03:04:05.678Z)`,
    'invalid_timestamp',
  );
}

function required(value: string | undefined, field: string, type: EventType): string {
  return value ?? refuse(`${type} requires a non-empty ${field}`, 'missing_field');
}

function eventType(message: JsonObject, endpointType: EventType | undefined): EventType {
  const declared = message.type;
  if (endpointType !== undefined) {
    if (declared === undefined || declared === null || declared === '' || declared === endpointType)
      return endpointType;
    return refuse(
      `type ${JSON.stringify(declared)} does not match the endpoint, which takes ${endpointType}`,
      'invalid_type',
    );
  }
  if (declared === undefined || declared === null || declared === '') {
    return refuse(`type is required (one of ${EVENT_TYPES.join(', ')})`, 'invalid_type');
  }
  return isEventType(declared)
    ? declared
    : refuse(`type must be one of ${EVENT_TYPES.join(', ')}`, 'invalid_type');
}

function validated(message: unknown, context: ValidationContext): SegmentEvent {
  if (!isJsonObject(message)) return refuse('event must be a JSON object', 'not_an_object');
  const type = eventType(message, context.endpointType);
  const userId = optionalId(message, 'userId');
  const anonymousId = optionalId(message, 'anonymousId');
  if (userId === undefined && anonymousId === undefined) {
    refuse('userId or anonymousId is required (empty strings count as absent)', 'missing_id');
  }
  const event = optionalString(message, 'event') || undefined;
  const groupId = optionalId(message, 'groupId');
  const previousId = optionalId(message, 'previousId');
  if (type === 'track') required(event, 'event', type);
  if (type === 'group') required(groupId, 'groupId', type);
  if (type === 'alias') {
    required(userId, 'userId', type);
    required(previousId, 'previousId', type);
  }
  const messageId = optionalString(message, 'messageId') || undefined;
  const timestamp =
    optionalTimestamp(message, 'timestamp') ?? optionalTimestamp(message, 'originalTimestamp');
  const sentAt =
    optionalTimestamp(message, 'sentAt') ??
    (context.sentAt === undefined
      ? undefined
      : { text: context.sentAt, ms: context.sentAtMs ?? parseIsoTimestamp(context.sentAt) });
  return {
    type,
    messageId,
    userId,
    anonymousId,
    event,
    name: optionalString(message, 'name'),
    groupId,
    previousId,
    timestamp: timestamp?.text,
    timestampMs: timestamp?.ms,
    sentAt: sentAt?.text,
    sentAtMs: sentAt?.ms,
    context: optionalObject(message, 'context'),
    properties: optionalObject(message, 'properties'),
    traits: optionalObject(message, 'traits'),
    integrations: optionalObject(message, 'integrations'),
  };
}

/**
 * Validates one message against the Segment spec: a known `type`; `userId` or `anonymousId`;
 * `event` for track, `groupId` for group, `userId` and `previousId` for alias; `properties`,
 * `traits` and `context` objects when present; ISO-8601 `timestamp`, `originalTimestamp`, `sentAt`.
 * Size limits are checked on the serialised envelope, not here.
 */
export function validateEvent(message: unknown, context: ValidationContext = {}): EventValidation {
  try {
    return { ok: true, event: validated(message, context) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, code: error.code };
    throw error;
  }
}
