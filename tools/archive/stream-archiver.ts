import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { isAggregated, loadDeaggregator } from '../tail/decode-record';
import { readShard, type ShardRecord, sleep } from '../tail/shard-reader';
import { listShards } from '../tail/stream-tail';
import { readCheckpoint, writeCheckpoint, writeDurably } from './archive-checkpoint';
import { type ArchivableRecord, type ArchivePrefix, filesOf, jsonLines } from './archive-layout';

/** A stream to archive and the archive folder it goes under. */
export interface ArchivedStream {
  readonly streamName: string;
  readonly prefix: ArchivePrefix;
}

export interface StreamArchiverOptions {
  /** Reads the streams (the emulator directly: the fault switches do not stop the archive). */
  readonly client: KinesisClient;
  readonly streams: readonly ArchivedStream[];
  /** The archive folder (`ARCHIVE_DIR`). */
  readonly dir: string;
  /** A shard's buffered records are written at least this often. @default {@link ARCHIVE_FLUSH_INTERVAL_MS} */
  readonly flushIntervalMs?: number;
  /** ... and as soon as a shard has this many. @default {@link ARCHIVE_FLUSH_RECORDS} */
  readonly flushRecords?: number;
  /** Wait between reads of a caught-up shard. @default 1000 */
  readonly pollMs?: number;
  /** A read or write failed; the archiver retries it (reads from its last record, writes at the next flush). */
  readonly onError?: (error: Error) => void;
}

/** The local archive's buffer interval: records are in the folder within about this long. */
export const ARCHIVE_FLUSH_INTERVAL_MS = 5_000;
/** The local archive's buffer size per shard: a shard this far ahead is written at once. */
export const ARCHIVE_FLUSH_RECORDS = 1_000;

/** A running archiver. */
export interface StreamArchiver {
  /** Writes what every shard has buffered now. */
  flush(): Promise<void>;
  /**
   * Stops reading, then reads each shard to its end once more and writes everything: what the
   * streams held when `stop` was called is in the folder when it resolves.
   */
  stop(): Promise<void>;
}

/** One shard's buffer: records read and not yet in a file, and where reading got to. */
class ShardArchive {
  private buffer: ArchivableRecord[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** The last record read (buffered or written): reading resumes after it. */
  lastRead: string | undefined;

  constructor(
    private readonly options: StreamArchiverOptions,
    private readonly stream: ArchivedStream & { readonly createdAt: string },
    readonly shardId: string,
    checkpoint: string | undefined,
  ) {
    this.lastRead = checkpoint;
  }

  get streamName(): string {
    return this.stream.streamName;
  }

  add(records: readonly ShardRecord[]): Promise<void> {
    const last = records[records.length - 1];
    if (last !== undefined) this.lastRead = last.sequenceNumber;
    return this.serially(async () => {
      for (const record of records) {
        for (const data of userRecordsOf(record)) {
          this.buffer.push({
            sequenceNumber: record.sequenceNumber,
            arrivedAt: record.arrivedAt ?? new Date(),
            data,
          });
        }
      }
      if (this.buffer.length >= (this.options.flushRecords ?? ARCHIVE_FLUSH_RECORDS)) await this.write();
    });
  }

  flush(): Promise<void> {
    return this.serially(() => this.write());
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    // A failed write keeps its records buffered for the next flush; the chain goes on.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Files first (each durable), then the checkpoint: a crash in between rewrites the same files. */
  private async write(): Promise<void> {
    const records = this.buffer;
    const last = records[records.length - 1];
    if (last === undefined) return;
    const { streamName, prefix, createdAt } = this.stream;
    for (const file of filesOf(prefix, streamName, this.shardId, records)) {
      await writeDurably(
        join(this.options.dir, file.partition, file.name),
        gzipSync(jsonLines(file.records.map((record) => record.data))),
      );
    }
    await writeCheckpoint(this.options.dir, {
      streamName,
      shardId: this.shardId,
      sequenceNumber: last.sequenceNumber,
      streamCreatedAt: createdAt,
    });
    this.buffer = this.buffer.slice(records.length);
  }
}

const deaggregator = loadDeaggregator();

/**
 * The records a Kinesis record holds: itself, or the user records of a KPL-aggregated one (a
 * destination with `aggregate`), one line each, as Firehose de-aggregates them. One that cannot be
 * de-aggregated is kept as it is (a line that is not JSON, which the readers skip), never dropped.
 */
function userRecordsOf(record: ShardRecord): Uint8Array[] {
  if (!isAggregated(record.data) || deaggregator === undefined) return [record.data];
  let users: Uint8Array[] = [record.data];
  deaggregator.deaggregateSync(
    {
      data: Buffer.from(record.data).toString('base64'),
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
    },
    true,
    (error, userRecords) => {
      if (!error && userRecords !== undefined)
        users = userRecords.map((user) => Buffer.from(user.data, 'base64'));
    },
  );
  return users;
}

async function streamCreatedAt(client: KinesisClient, streamName: string): Promise<string> {
  const { StreamDescriptionSummary } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  return StreamDescriptionSummary?.StreamCreationTimestamp?.toISOString() ?? '';
}

/**
 * Archives streams into a folder in the archive's layout (archive-layout.ts), as Firehose archives
 * them to S3: each shard is read from its checkpoint (or its start), its records buffered and
 * written as one GZIP JSON-lines file per hour partition every `flushIntervalMs` or `flushRecords`,
 * then its checkpoint written. Each record lands in the folder once across restarts: a file is
 * named after its first record, so a flush repeated after a crash replaces what it wrote before.
 * Reads the shards present at start (local streams are not resharded).
 */
export async function startStreamArchiver(options: StreamArchiverOptions): Promise<StreamArchiver> {
  const { client } = options;
  const stopping = new AbortController();
  const shards: ShardArchive[] = [];
  for (const stream of options.streams) {
    const createdAt = await streamCreatedAt(client, stream.streamName);
    for (const shard of await listShards(client, stream.streamName)) {
      const shardId = shard.ShardId as string;
      const checkpoint = await readCheckpoint(options.dir, stream.streamName, shardId, createdAt);
      shards.push(new ShardArchive(options, { ...stream, createdAt }, shardId, checkpoint?.sequenceNumber));
    }
  }
  const read = (shard: ShardArchive, follow: boolean, signal: AbortSignal) =>
    readShard({
      client,
      streamName: shard.streamName,
      shardId: shard.shardId,
      start: { type: 'TRIM_HORIZON' },
      ...(shard.lastRead === undefined ? {} : { afterSequenceNumber: shard.lastRead }),
      follow,
      pollMs: options.pollMs ?? 1_000,
      signal,
      onRecords: (records) => shard.add(records),
    });
  const report = (error: unknown) => options.onError?.(error as Error);
  const loops = shards.map(async (shard) => {
    while (!stopping.signal.aborted) {
      try {
        await read(shard, true, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) return;
        report(error);
        await sleep(2_000, stopping.signal);
      }
    }
  });
  const flushAll = async () => {
    for (const shard of shards) await shard.flush().catch(report);
  };
  const timer = setInterval(() => void flushAll(), options.flushIntervalMs ?? ARCHIVE_FLUSH_INTERVAL_MS);
  timer.unref();
  return {
    flush: flushAll,
    stop: async () => {
      clearInterval(timer);
      stopping.abort();
      await Promise.all(loops);
      await Promise.all(shards.map((shard) => read(shard, false, new AbortController().signal)));
      for (const shard of shards) await shard.flush();
    },
  };
}
