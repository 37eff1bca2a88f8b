import { createHash } from 'node:crypto';
import { HotKeyTracker, type HotKeyTrigger } from './hot-key-tracker';
import { isThrottling, type OutgoingRecord, type RecordWriter, type WriteReport } from './record-writer';

/** How many partition keys a hot key is spread over: `<key>#0` .. `<key>#15`. */
export const HOT_KEY_SPREAD = 16;

/** Kinesis' longest partition key (characters). */
const MAX_PARTITION_KEY_LENGTH = 256;

/** What a write spread, for the metric and the log (key hashes, never keys). */
export interface HotKeyNotice {
  readonly destinationId: string;
  /** Records written under a spread key and marked overflow. */
  readonly overflowed: number;
  /** Keys that turned hot in this write: the key's hash (first 16 hex of its SHA-256) and why. */
  readonly turnedHot: readonly { readonly keyHash: string; readonly trigger: HotKeyTrigger }[];
}

export interface HotKeyRecordWriterOptions {
  readonly writer: RecordWriter;
  readonly destinationId: string;
  /** A key writing more records per second than this, in this container, is hot. */
  readonly recordsPerSecond: number;
  /** @default HOT_KEY_COOL_DOWN_MS */
  readonly coolDownMs?: number;
  /** Told after every write that spread records or turned a key hot. */
  readonly onHotKeys?: (notice: HotKeyNotice) => void;
  /** @default - `Date.now` */
  readonly now?: () => number;
}

/** What the logs may show of a partition key: the first 16 hex digits of its SHA-256. */
export function partitionKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

/** `key#n`, the key shortened if needed to stay within Kinesis' 256 characters. */
function spreadKey(key: string, n: number): string {
  const suffix = `#${n}`;
  return `${key.slice(0, MAX_PARTITION_KEY_LENGTH - suffix.length)}${suffix}`;
}

/** The record's envelope (or Segment event) with `context.kinesis_event_forwarder.overflow: true`. */
function markedOverflow(data: Uint8Array): Uint8Array | undefined {
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const { context } = record as { context?: unknown };
  const base = typeof context === 'object' && context !== null && !Array.isArray(context) ? context : {};
  const routing = (base as { kinesis_event_forwarder?: unknown }).kinesis_event_forwarder;
  const forwarder = typeof routing === 'object' && routing !== null ? routing : {};
  const marked = {
    ...record,
    context: { ...base, kinesis_event_forwarder: { ...forwarder, overflow: true } },
  };
  return Buffer.from(JSON.stringify(marked), 'utf8');
}

/**
 * Hot-key relief for one destination: a partition key that writes faster than one shard can take
 * (its rate in this container passes `recordsPerSecond`, or the stream throttles its records while
 * it writes a fifth of that here) is hot, and while it is hot its records go out under
 * `<key>#0` .. `<key>#15` in turn, spreading it over up to 16 shards, each record marked
 * `context.kinesis_event_forwarder.overflow: true`. The key's order holds only while it is not
 * hot; it cools down 10 s after the last sign of heat.
 *
 * Records keep their positions: every record is written once, under one key, and the report's
 * failures are the inner writer's, by the same indices. A record that is not a JSON object (never
 * the case for envelopes) keeps its key.
 */
export class HotKeyRecordWriter implements RecordWriter {
  private readonly tracker: HotKeyTracker;
  /** Next suffix per hot key (round robin), forgotten when the key cools down. */
  private readonly next = new Map<string, number>();

  constructor(private readonly options: HotKeyRecordWriterOptions) {
    this.tracker = new HotKeyTracker({
      recordsPerSecond: options.recordsPerSecond,
      ...(options.coolDownMs === undefined ? {} : { coolDownMs: options.coolDownMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const turnedHot = new Map<string, HotKeyTrigger>();
    /** The original key of each spread key sent, to read the throttling feedback. */
    const originals = new Map<string, string>();
    let overflowed = 0;
    const sent = records.map((record) => {
      const key = record.partitionKey;
      const hot = this.tracker.count(key);
      if (hot === false) {
        this.next.delete(key);
        return record;
      }
      if (hot !== true) turnedHot.set(key, hot);
      const data = markedOverflow(record.data);
      if (data === undefined) return record;
      const n = this.next.get(key) ?? 0;
      this.next.set(key, (n + 1) % HOT_KEY_SPREAD);
      const partitionKey = spreadKey(key, n);
      originals.set(partitionKey, key);
      overflowed += 1;
      return { data, partitionKey };
    });
    const report = await this.options.writer.write(sent, deadline);
    const throttledKeys = new Set(report.throttledKeys);
    for (const failure of report.failed) {
      if (isThrottling(failure.errorCode)) throttledKeys.add(sent[failure.index]?.partitionKey ?? '');
    }
    for (const throttledKey of throttledKeys) {
      if (originals.has(throttledKey)) continue;
      if (this.tracker.throttled(throttledKey)) turnedHot.set(throttledKey, 'throttling');
    }
    if (overflowed > 0 || turnedHot.size > 0) {
      this.options.onHotKeys?.({
        destinationId: this.options.destinationId,
        overflowed,
        turnedHot: [...turnedHot].map(([key, trigger]) => ({ keyHash: partitionKeyHash(key), trigger })),
      });
    }
    // The keys stay here: what goes up to ingest (and could reach a log) carries no partition key.
    const { throttledKeys: _keys, ...withoutKeys } = report;
    return withoutKeys;
  }
}

/** Hot-key relief for a destination's writer as its `hotKeys` settings ask; disabled, the writer as it is. */
export function withHotKeyRelief(
  writer: RecordWriter,
  destination: {
    readonly id: string;
    readonly hotKeys: { readonly enabled: boolean; readonly recordsPerSecond: number };
  },
  options: Omit<HotKeyRecordWriterOptions, 'writer' | 'destinationId' | 'recordsPerSecond'> = {},
): RecordWriter {
  if (!destination.hotKeys.enabled) return writer;
  return new HotKeyRecordWriter({
    ...options,
    writer,
    destinationId: destination.id,
    recordsPerSecond: destination.hotKeys.recordsPerSecond,
  });
}
