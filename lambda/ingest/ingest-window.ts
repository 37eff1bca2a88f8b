import type { DedupTag, OutgoingRecord } from '../delivery/record-writer';

/**
 * How much of a request is prepared before it is written: a request is written in windows of at
 * most `events` messages and `bytes` of records, `inFlight` windows at a time, so a 6 MB request's
 * serialised records never all exist at once (and its parsed messages, when the request lets them
 * go, are freed as they are written).
 */
export interface IngestWindow {
  /** Messages per window: one PutRecords call's worth. */
  readonly events: number;
  /** Bytes of records (every destination's, and failure records) per window. */
  readonly bytes: number;
  /** Windows being written at once; the next one is prepared meanwhile. */
  readonly inFlight: number;
}

/** 500 messages (one PutRecords call), 1 MiB, 4 at once (as many calls as one write makes at once). */
export const DEFAULT_INGEST_WINDOW: IngestWindow = { events: 500, bytes: 1024 * 1024, inFlight: 4 };

/** The records of one window: each destination's (by position) and the failure records. */
export class WindowRecords {
  readonly records: OutgoingRecord[][];
  readonly failures: OutgoingRecord[] = [];
  private messages = 0;
  private bytes = 0;

  constructor(destinations: number) {
    this.records = Array.from({ length: destinations }, () => []);
  }

  add(data: readonly (Uint8Array | undefined)[], partitionKey: string, dedup?: DedupTag): void {
    data.forEach((bytes, position) => {
      if (bytes === undefined) return;
      this.records[position]?.push(
        dedup === undefined ? { data: bytes, partitionKey } : { data: bytes, partitionKey, dedup },
      );
      this.bytes += bytes.byteLength;
    });
    this.messages++;
  }

  addFailure(record: OutgoingRecord): void {
    this.failures.push(record);
    this.bytes += record.data.byteLength;
    this.messages++;
  }

  isFull(limits: IngestWindow): boolean {
    return this.messages >= limits.events || this.bytes >= limits.bytes;
  }

  isEmpty(): boolean {
    return this.messages === 0;
  }
}
