import type { ShardRecord } from './shard-reader';

/** Where a record came from: the `meta` of a `--json` line. */
export interface TailMeta {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  /** Position inside a KPL-aggregated record; absent for plain records. */
  readonly subSequenceNumber?: number;
  /** Kinesis' `ApproximateArrivalTimestamp`, ISO-8601. */
  readonly arrivedAt?: string;
}

/** The envelope fields tail reads (docs/envelope.md); the rest is passed through untouched. */
export interface EnvelopeLike {
  readonly type?: unknown;
  readonly event?: unknown;
  readonly name?: unknown;
  readonly user_id?: unknown;
  readonly anonymous_id?: unknown;
  readonly source_id?: unknown;
  readonly timestamp?: unknown;
  readonly received_at?: unknown;
  readonly [field: string]: unknown;
}

/**
 * A record of a failed-events stream (docs/envelope.md#failed-events): `failure` says why, `payload`
 * holds the refused event (or `raw` the body of a request that could not be parsed). Read from a
 * stream, so only `failure`'s three strings are checked; the rest is passed through untouched.
 */
export interface FailureRecordLike {
  readonly failure: { readonly reason: string; readonly code: string; readonly stage: string };
  readonly event_id?: unknown;
  readonly source_id?: unknown;
  readonly received_at?: unknown;
  readonly request?: unknown;
  readonly payload?: unknown;
  readonly raw?: unknown;
  readonly [field: string]: unknown;
}

/** One thing tail reports per record (or per user record of an aggregated one). */
export type TailEvent =
  /** A record holding a JSON object: an envelope. */
  | { readonly kind: 'envelope'; readonly meta: TailMeta; readonly envelope: EnvelopeLike }
  /** A record of a failed-events stream: a refused event (or request) with its reason. */
  | { readonly kind: 'failure'; readonly meta: TailMeta; readonly record: FailureRecordLike }
  /** A record tail cannot show as an envelope: not JSON, or KPL-aggregated without a deaggregator. */
  | { readonly kind: 'unreadable'; readonly meta: TailMeta; readonly reason: string };

/** Whether a JSON object is a failure record: a `failure` with string `reason`, `code` and `stage`. */
export function isFailureRecord(value: Readonly<Record<string, unknown>>): value is FailureRecordLike {
  const failure = value.failure as Record<string, unknown> | null | undefined;
  return (
    typeof failure === 'object' &&
    failure !== null &&
    typeof failure.reason === 'string' &&
    typeof failure.code === 'string' &&
    typeof failure.stage === 'string'
  );
}

/** The meta of a shard record. */
export function metaOf(record: ShardRecord, subSequenceNumber?: number): TailMeta {
  return {
    shardId: record.shardId,
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    ...(subSequenceNumber === undefined ? {} : { subSequenceNumber }),
    ...(record.arrivedAt === undefined ? {} : { arrivedAt: record.arrivedAt.toISOString() }),
  };
}

const stringOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Who a record is about, in either record format: the envelope's `user_id` / `anonymous_id`, or
 * the Segment message's `userId` / `anonymousId` (`recordFormat: "segment"`).
 */
export function userOf(envelope: EnvelopeLike): { userId?: string; anonymousId?: string } {
  const userId = stringOf(envelope.user_id) ?? stringOf(envelope.userId);
  const anonymousId = stringOf(envelope.anonymous_id) ?? stringOf(envelope.anonymousId);
  return {
    ...(userId === undefined ? {} : { userId }),
    ...(anonymousId === undefined ? {} : { anonymousId }),
  };
}

/**
 * The source a record came from: the envelope's `source_id`, or for the `segment` record format
 * `context.kinesis_event_forwarder.source_id`.
 */
export function sourceIdOf(envelope: EnvelopeLike): string | undefined {
  const routing = (envelope.context as { kinesis_event_forwarder?: { source_id?: unknown } } | undefined)
    ?.kinesis_event_forwarder;
  return stringOf(envelope.source_id) ?? stringOf(routing?.source_id);
}
