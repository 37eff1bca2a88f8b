import { createHash } from 'node:crypto';

/** Kinesis accepts partition keys of 1 to 256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;

/**
 * Which id spreads a source's events over shards.
 * - `user`: `user_id || anonymous_id`, so one user's events stay ordered in one shard (the default).
 * - `event_id`: every event lands on a random-looking shard; relieves hot keys, gives up per-user order.
 */
export type PartitionKeyStrategy = 'user' | 'event_id';

export interface PartitionKeyIds {
  readonly eventId: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
}

/**
 * The Kinesis partition key of an event. Keys longer than Kinesis allows are replaced by their
 * SHA-256 (hex), never truncated: two long ids sharing a prefix must not collide into one key.
 */
export function partitionKeyFor(ids: PartitionKeyIds, strategy: PartitionKeyStrategy): string {
  const key = strategy === 'event_id' ? ids.eventId : ids.userId || ids.anonymousId || ids.eventId;
  if (key.length <= MAX_PARTITION_KEY_LENGTH) return key;
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
