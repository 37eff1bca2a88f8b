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

/** One thing tail reports per record (or per user record of an aggregated one). */
export type TailEvent =
  /** A record holding a JSON object: an envelope. */
  | { readonly kind: 'envelope'; readonly meta: TailMeta; readonly envelope: EnvelopeLike }
  /** A record tail cannot show as an envelope: not JSON, or KPL-aggregated without a deaggregator. */
  | { readonly kind: 'unreadable'; readonly meta: TailMeta; readonly reason: string };

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
