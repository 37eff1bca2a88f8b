import type { ShardRecord } from './shard-reader';
import { type EnvelopeLike, isFailureRecord, metaOf, type TailEvent, type TailMeta } from './tail-event';

/** The first bytes of a KPL-aggregated record (Kinesis Producer Library aggregation format). */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);

/** Whether the record data is in the KPL aggregation format. */
export function isAggregated(data: Uint8Array): boolean {
  return data.length >= KPL_MAGIC.length && KPL_MAGIC.every((byte, index) => data[index] === byte);
}

/** One user record of an aggregated record, as `aws-kinesis-agg` hands it out. */
interface UserRecord {
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** base64 */
  readonly data: string;
}

/** The part of `aws-kinesis-agg` tail uses. */
export interface Deaggregator {
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: UserRecord[]) => void,
  ): void;
}

/**
 * `aws-kinesis-agg` when it is installed (it is optional: this project never aggregates on its own),
 * else `undefined`.
 */
export function loadDeaggregator(): Deaggregator | undefined {
  try {
    return require('aws-kinesis-agg') as Deaggregator;
  } catch {
    return undefined;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(meta: TailMeta, data: Uint8Array): TailEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(data));
  } catch {
    return { kind: 'unreadable', meta, reason: `not a JSON envelope (${data.length} bytes)` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'unreadable', meta, reason: 'JSON but not an object, so not an envelope' };
  }
  const object = parsed as Record<string, unknown>;
  if (isFailureRecord(object)) return { kind: 'failure', meta, record: object };
  return { kind: 'envelope', meta, envelope: object as EnvelopeLike };
}

/**
 * What a record holds: its envelope (or, read from a failed-events stream, its failure record); for a KPL-aggregated record, the envelope of each user record
 * (with `aws-kinesis-agg`), or one `unreadable` event saying how to read it (without).
 */
export function decodeRecord(record: ShardRecord, deaggregator: Deaggregator | undefined): TailEvent[] {
  if (!isAggregated(record.data)) return [decodeJson(metaOf(record), record.data)];
  if (deaggregator === undefined) {
    return [
      {
        kind: 'unreadable',
        meta: metaOf(record),
        reason:
          'KPL-aggregated record: install aws-kinesis-agg (npm install --no-save aws-kinesis-agg) to see its events',
      },
    ];
  }
  let events: TailEvent[] = [];
  deaggregator.deaggregateSync(
    {
      data: Buffer.from(record.data).toString('base64'),
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
    },
    true,
    (error, userRecords) => {
      if (error || userRecords === undefined) {
        events = [
          {
            kind: 'unreadable',
            meta: metaOf(record),
            reason: `KPL-aggregated record that cannot be deaggregated: ${error?.message ?? 'no records'}`,
          },
        ];
        return;
      }
      events = userRecords.map((user) =>
        decodeJson(
          { ...metaOf(record, user.subSequenceNumber), partitionKey: user.partitionKey },
          Buffer.from(user.data, 'base64'),
        ),
      );
    },
  );
  return events;
}
