import { createHash } from 'node:crypto';
import type { KinesisClient, PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';

/** A shard's write limits: 1,000 records and 1 MiB per second. */
export const SHARD_RECORDS_PER_SECOND = 1_000;
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;

/** A record the fake accepted, with the shard it landed on. */
export interface LandedRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly shard: number;
}

/** A token bucket holding one second of a shard's capacity, refilled continuously. */
class Bucket {
  private records = SHARD_RECORDS_PER_SECOND;
  private bytes = SHARD_BYTES_PER_SECOND;
  private at: number;

  constructor(now: number) {
    this.at = now;
  }

  take(bytes: number, now: number): boolean {
    const seconds = (now - this.at) / 1000;
    this.at = now;
    this.records = Math.min(SHARD_RECORDS_PER_SECOND, this.records + seconds * SHARD_RECORDS_PER_SECOND);
    this.bytes = Math.min(SHARD_BYTES_PER_SECOND, this.bytes + seconds * SHARD_BYTES_PER_SECOND);
    if (this.records < 1 || this.bytes < bytes) return false;
    this.records -= 1;
    this.bytes -= bytes;
    return true;
  }
}

/** The shard of `partitionKey` in a stream of `shardCount` shards splitting the hash range evenly. */
export function shardOf(partitionKey: string, shardCount: number): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  const width = 2n ** 128n / BigInt(shardCount);
  return Math.min(shardCount - 1, Number(hash / width));
}

/**
 * A fake of Kinesis at the PutRecords level that throttles as Kinesis does: each partition key's
 * MD5, a 128-bit integer, picks a shard of evenly split hash ranges, and each shard takes at most
 * 1,000 records and 1 MiB (data plus key) per second of `now`; records over that come back
 * `ProvisionedThroughputExceededException`. kinesalite never throttles, hence this fake.
 */
export class ThrottlingKinesis {
  readonly landed: LandedRecord[] = [];
  throttled = 0;
  private readonly buckets: Bucket[];

  constructor(
    private readonly shardCount: number,
    private readonly now: () => number,
  ) {
    this.buckets = Array.from({ length: shardCount }, () => new Bucket(now()));
  }

  /** A client for {@link KinesisRecordWriter}: it sends only `PutRecordsCommand`. */
  get client(): KinesisClient {
    return { send: (command: PutRecordsCommand) => this.putRecords(command) } as unknown as KinesisClient;
  }

  private async putRecords(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const now = this.now();
    let failed = 0;
    const results = (command.input.Records ?? []).map((entry) => {
      const partitionKey = entry.PartitionKey ?? '';
      const data = entry.Data ?? new Uint8Array();
      const shard = shardOf(partitionKey, this.shardCount);
      const bytes = data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
      if ((this.buckets[shard] as Bucket).take(bytes, now)) {
        this.landed.push({ partitionKey, data, shard });
        return { SequenceNumber: String(this.landed.length), ShardId: `shardId-${shard}` };
      }
      failed += 1;
      this.throttled += 1;
      return {
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: `Rate exceeded for shard shardId-${shard}`,
      };
    });
    return { FailedRecordCount: failed, Records: results, $metadata: {} };
  }
}

/**
 * Virtual time for code that takes `now` and `sleep`: `sleep` waits for {@link run} to move the
 * clock to its wake-up time, so seconds of throttling and backoff take milliseconds.
 */
export class VirtualClock {
  private time: number;
  private readonly timers: { at: number; wake: () => void }[] = [];

  constructor(start = 1_800_000_000_000) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.timers.push({ at: this.time + ms, wake });
    });

  /** Runs `work` to its end, moving the clock to the next wake-up whenever everything waits. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const finished = work.finally(() => {
      done = true;
    });
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) return finished;
      this.timers.sort((a, b) => a.at - b.at);
      const timer = this.timers.shift();
      if (timer === undefined) throw new Error('VirtualClock: the work waits on something other than sleep');
      this.time = Math.max(this.time, timer.at);
      timer.wake();
    }
  }
}
