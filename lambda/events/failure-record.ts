import { randomUUID } from 'node:crypto';
import { applyFieldRules, type FieldHashKey, hasNoFieldRules, type RedactionRules } from './field-rules';
import { partitionKeyFor } from './partition-key';
import { truncateIp } from './pipeline/redact';
import { isJsonObject } from './segment-event';

/** Where in the collector an event was refused. */
export type FailureStage =
  /** The request as a whole: not decodable, not JSON, not a batch (`raw` holds its body). */
  | 'request'
  /** The Segment spec: type, ids, required fields, field types, timestamps. */
  | 'validation'
  /** The source's tracking plan, in `block` mode. */
  | 'tracking_plan'
  /** Larger than `limits.maxEventBytes` as a record, or not serialisable. */
  | 'size';

/** Why an event (or a request) was refused: the same `reason` the answer's `rejected[]` gives. */
export interface Failure {
  readonly reason: string;
  /** Machine-readable kind (`missing_id`, `plan_violation`, `too_large`, `unparseable`, ...). */
  readonly code: string;
  readonly stage: FailureStage;
}

/** What the HTTP request that carried a refused event looked like (never its credentials). */
export interface RequestFacts {
  readonly path: string;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  /** Size of the body as received (before decompression). */
  readonly bytes: number;
}

/**
 * One record of the failed-events stream (docs/envelope.md#failed-events, schema
 * docs/failure-record.schema.json): a refused event as received (`payload`), or the body of a
 * request that could not be parsed at all (`raw`), with why, where and when.
 */
export interface FailureRecord {
  readonly failure: Failure;
  /** The event's `messageId`, or a UUID: replay writes the event with this `event_id`, so replays de-duplicate. */
  readonly event_id: string;
  readonly source_id: string;
  readonly received_at: string;
  readonly request: RequestFacts & {
    /** The event's position in its batch (0 for single-event endpoints); `null` for a whole request. */
    readonly index: number | null;
    /**
     * The request's own `sentAt` (the batch's, else RudderStack's `SentAt` header), which corrects
     * the timestamp of an event without its own: kept so a replay corrects it the same way. `null`
     * when the request had none; absent for a whole request (and in records of earlier versions).
     */
    readonly sentAt?: string | null;
  };
  /** The event exactly as received (before the batch's `context` is merged in). */
  readonly payload?: unknown;
  /** The request body, as UTF-8 text or base64 (`raw_encoding`), at most `RAW_BODY_CAP_BYTES`. */
  readonly raw?: string;
  readonly raw_encoding?: 'utf8' | 'base64';
  /** Whether `raw` was cut at `RAW_BODY_CAP_BYTES` bytes of the body. */
  readonly raw_truncated?: boolean;
  /** The source's field rules and this record (absent when the source has none). */
  readonly redaction?: RedactionFacts;
}

/** What the source's field rules did to a failure record (docs/privacy.md). */
export interface RedactionFacts {
  /** The rules were applied to `payload` (and to `raw` where it is kept): replay must not apply them again. */
  readonly applied: true;
  /** The version of the key keyed hashes were made with; `null` when no rule hashes with a key. */
  readonly key_version: string | null;
  /** The unparseable request body was not kept, since rules could not be applied to it. */
  readonly raw_dropped?: true;
}

/** A source's field rules and the deployment's key, as failure records apply them. */
export interface FailureRedaction {
  readonly rules: RedactionRules | undefined;
  readonly key: FieldHashKey | undefined;
}

const keyVersionOf = (redaction: FailureRedaction): string | null =>
  redaction.rules !== undefined &&
  redaction.rules.hash.length > 0 &&
  (redaction.rules.hashAlgorithm ?? 'hmac-sha256') === 'hmac-sha256'
    ? (redaction.key?.version ?? null)
    : null;

/** The most of a request body a failure record keeps (64 KiB). */
export const RAW_BODY_CAP_BYTES = 64 * 1024;

/**
 * A failure record's data must fit a Kinesis record (1 MiB with its key): an event payload larger
 * than this is kept as `raw` text, cut at `RAW_BODY_CAP_BYTES`.
 */
export const MAX_FAILURE_RECORD_BYTES = 900 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A non-empty string or finite number id of a message, as the spec reads them. */
function idOf(message: unknown, field: string): string | null {
  if (!isJsonObject(message)) return null;
  const value = message[field];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * The partition key of a failure record: the event's `userId || anonymousId` when it has one (so a
 * user's failed events stay in order in one shard), else a random one.
 */
export function failurePartitionKey(payload: unknown): string {
  return partitionKeyFor(
    { eventId: randomUUID(), userId: idOf(payload, 'userId'), anonymousId: idOf(payload, 'anonymousId') },
    'user',
  );
}

/** Bytes as text: UTF-8 when they are valid UTF-8, else base64; cut at `RAW_BODY_CAP_BYTES`. */
export function rawText(bytes: Uint8Array): Pick<FailureRecord, 'raw' | 'raw_encoding' | 'raw_truncated'> {
  const truncated = bytes.byteLength > RAW_BODY_CAP_BYTES;
  let kept = truncated ? bytes.subarray(0, RAW_BODY_CAP_BYTES) : bytes;
  try {
    return { raw: utf8.decode(kept), raw_encoding: 'utf8', raw_truncated: truncated };
  } catch {
    // A cut through a multi-byte character is still text: drop its first bytes and try again.
    for (let drop = 1; truncated && drop <= 3; drop++) {
      kept = bytes.subarray(0, RAW_BODY_CAP_BYTES - drop);
      try {
        return { raw: utf8.decode(kept), raw_encoding: 'utf8', raw_truncated: true };
      } catch {}
    }
    return { raw: Buffer.from(kept).toString('base64'), raw_encoding: 'base64', raw_truncated: truncated };
  }
}

export interface EventFailure {
  readonly failure: Failure;
  readonly message: unknown;
  readonly index: number;
  readonly sourceId: string;
  readonly receivedAtIso: string;
  readonly request: RequestFacts;
  /** The request's `sentAt` (batch or header), when it had one. */
  readonly sentAt?: string | undefined;
}

/** A message without its `writeKey`: failure records never hold credentials. */
function withoutWriteKey(message: unknown): unknown {
  if (!isJsonObject(message) || !Object.hasOwn(message, 'writeKey')) return message;
  const { writeKey: _writeKey, ...rest } = message;
  return rest;
}

/**
 * The failure record of one refused event of a request: with `redaction`, its source's field rules
 * applied to `payload` (so the failed-events stream holds no more than the main one) and said so.
 */
export function eventFailureRecord(refused: EventFailure, redaction?: FailureRedaction): FailureRecord {
  const payload = withoutWriteKey(refused.message);
  const redacted = redaction !== undefined && !hasNoFieldRules(redaction.rules);
  return {
    failure: refused.failure,
    event_id: idOf(refused.message, 'messageId') ?? randomUUID(),
    source_id: refused.sourceId,
    received_at: refused.receivedAtIso,
    request: { ...refused.request, index: refused.index, sentAt: refused.sentAt ?? null },
    payload:
      redacted && isJsonObject(payload)
        ? applyFieldRules(payload, redaction.rules, redaction.key, truncateIp)
        : payload,
    ...(redacted ? { redaction: { applied: true, key_version: keyVersionOf(redaction) } } : {}),
  };
}

export interface RequestFailure {
  readonly failure: Failure;
  /** The body as received (base64 undone, still compressed if it was). */
  readonly body: Uint8Array;
  readonly sourceId: string;
  readonly receivedAtIso: string;
  readonly request: RequestFacts;
}

const RAW_WRITE_KEY = /("writeKey"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** Raw text with the value of any `"writeKey": "..."` replaced: failure records never hold credentials. */
function withoutRawWriteKey<T extends Pick<FailureRecord, 'raw' | 'raw_encoding'>>(raw: T): T {
  if (raw.raw_encoding !== 'utf8' || raw.raw === undefined) return raw;
  return { ...raw, raw: raw.raw.replace(RAW_WRITE_KEY, '$1"[redacted]"') };
}

/**
 * The failure record of a request that could not be parsed: its body as text, capped. No field rule
 * can be applied to a body that is not JSON, so with `redaction` rules the body is dropped
 * (`redaction.raw_dropped`) unless the source keeps it (`redact.keepUnparseableBody`).
 */
export function requestFailureRecord(refused: RequestFailure, redaction?: FailureRedaction): FailureRecord {
  const base = {
    failure: refused.failure,
    event_id: randomUUID(),
    source_id: refused.sourceId,
    received_at: refused.receivedAtIso,
    request: { ...refused.request, index: null },
  };
  if (redaction === undefined || hasNoFieldRules(redaction.rules)) {
    return { ...base, ...withoutRawWriteKey(rawText(refused.body)) };
  }
  const facts = { applied: true, key_version: keyVersionOf(redaction) } as const;
  if (redaction.rules?.keepUnparseableBody === true) {
    return { ...base, ...withoutRawWriteKey(rawText(refused.body)), redaction: facts };
  }
  return { ...base, redaction: { ...facts, raw_dropped: true } };
}

/**
 * A failure record as the UTF-8 JSON of one Kinesis record. A payload too large for a record, or
 * that cannot be serialised, is kept as its JSON text cut at `RAW_BODY_CAP_BYTES` instead.
 */
export function serialiseFailureRecord(record: FailureRecord): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(record);
  } catch {}
  if (json !== undefined && Buffer.byteLength(json, 'utf8') <= MAX_FAILURE_RECORD_BYTES) {
    return Buffer.from(json, 'utf8');
  }
  const { payload, ...rest } = record;
  let text: string;
  try {
    text = JSON.stringify(payload) ?? 'null';
  } catch (error) {
    text = `(not serialisable: ${(error as Error).message})`;
  }
  return Buffer.from(JSON.stringify({ ...rest, ...rawText(Buffer.from(text, 'utf8')) }), 'utf8');
}

/**
 * The destination id spilled failure records carry: `<destination id>#failed`, so a redrive puts
 * them back into the failed-events stream, not the main one.
 */
export const failedSpillDestinationId = (destinationId: string): string => `${destinationId}#failed`;
