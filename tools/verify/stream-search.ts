import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord, loadDeaggregator } from '../tail/decode-record';
import { tailStream } from '../tail/stream-tail';
import type { TailEvent } from '../tail/tail-event';

export interface StreamSearch {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Read from here (`AT_TIMESTAMP`). */
  readonly since: Date;
  /** Read `AT_TIMESTAMP` as `TRIM_HORIZON` and filter here (kinesalite: see `ShardReadOptions`). */
  readonly timestampOnClient: boolean;
  /** The record looked for: an envelope or failure record with this `event_id`. */
  readonly eventId: string;
  /** Stop reading after this long. @default 20000 */
  readonly timeoutMs?: number;
}

const eventIdOf = (event: TailEvent): unknown =>
  event.kind === 'envelope'
    ? event.envelope.event_id
    : event.kind === 'failure'
      ? event.record.event_id
      : undefined;

/**
 * Reads every shard of a stream from `since` until it is caught up, and returns the record whose
 * `event_id` is `eventId` (KPL-aggregated records are taken apart), or `undefined` when none is
 * there. Stops as soon as it is found.
 */
export async function findInStream(search: StreamSearch): Promise<TailEvent | undefined> {
  const deaggregator = loadDeaggregator();
  const found = new AbortController();
  const signal = AbortSignal.any([found.signal, AbortSignal.timeout(search.timeoutMs ?? 20_000)]);
  let match: TailEvent | undefined;
  try {
    await tailStream({
      client: search.client,
      streamName: search.streamName,
      start: { type: 'AT_TIMESTAMP', timestamp: search.since },
      follow: false,
      signal,
      timestampOnClient: search.timestampOnClient,
      onRecords: (records) => {
        for (const record of records) {
          match ??= decodeRecord(record, deaggregator).find((event) => eventIdOf(event) === search.eventId);
        }
        if (match !== undefined) found.abort();
      },
    });
  } catch (error) {
    if (!signal.aborted || (error as Error).name !== 'AbortError') throw error;
  }
  return match;
}
