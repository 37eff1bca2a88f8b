/**
 * The archive's layout, one contract for the S3 bucket Firehose fills and the local folder the
 * archiver fills (docs/archive.md "Layout"): GZIP JSON lines, one envelope (or failure record) per
 * line, under `<prefix>/year=YYYY/month=MM/day=DD/hour=HH/` by the UTC hour the record arrived in
 * its stream (Firehose: the hour it arrived in Firehose). Pure: no I/O here.
 */

/** The archive's top-level folders: the events stream and the failed-events stream. */
export type ArchivePrefix = 'events' | 'failed';

/** What every archive object's name ends with; DuckDB and Athena read only these. */
export const ARCHIVE_FILE_SUFFIX = '.json.gz';

const HOUR_MS = 3_600_000;
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The hour partition of a record that arrived at `arrivedAt`: `events/year=2026/month=12/day=06/hour=20`. */
export function partitionOf(prefix: ArchivePrefix, arrivedAt: Date): string {
  return [
    prefix,
    `year=${pad(arrivedAt.getUTCFullYear(), 4)}`,
    `month=${pad(arrivedAt.getUTCMonth() + 1)}`,
    `day=${pad(arrivedAt.getUTCDate())}`,
    `hour=${pad(arrivedAt.getUTCHours())}`,
  ].join('/');
}

/**
 * The hour partitions that can hold records received from `from` to `to`, in time order: the hour
 * of `from` up to the hour of `to` plus `lateHours` (a record arrives in the stream, and so in a
 * partition, after the collector received it: seconds normally, later when it was spilled and
 * redriven).
 */
export function partitionsBetween(prefix: ArchivePrefix, from: Date, to: Date, lateHours = 1): string[] {
  const first = Math.floor(from.getTime() / HOUR_MS);
  const last = Math.floor(to.getTime() / HOUR_MS) + lateHours;
  const partitions: string[] = [];
  for (let hour = first; hour <= last; hour++) partitions.push(partitionOf(prefix, new Date(hour * HOUR_MS)));
  return partitions;
}

/**
 * The name of the file holding a shard's records of one partition, from `firstSequenceNumber` on:
 * a function of what it holds, so a flush repeated after a crash (before its checkpoint) writes the
 * same name again and replaces the file instead of adding a second copy.
 */
export function archiveFileName(streamName: string, shardId: string, firstSequenceNumber: string): string {
  return `${streamName}-${shardId}-${firstSequenceNumber}${ARCHIVE_FILE_SUFFIX}`;
}

/** Records as JSON lines: each record's bytes and a newline (records carry none; Firehose appends it too). */
export function jsonLines(records: readonly Uint8Array[]): Buffer {
  const newline = Buffer.from('\n');
  return Buffer.concat(records.flatMap((data) => [Buffer.from(data), newline]));
}

/** A record as the archiver groups it: its bytes, its sequence number and when it arrived. */
export interface ArchivableRecord {
  readonly sequenceNumber: string;
  readonly arrivedAt: Date;
  readonly data: Uint8Array;
}

/** One file to write: its partition, name and records, in shard order. */
export interface ArchiveFile {
  readonly partition: string;
  readonly name: string;
  readonly records: readonly ArchivableRecord[];
}

/**
 * A shard's buffered records split into files, one per hour partition (in order of first record),
 * each named after its first record ({@link archiveFileName}).
 */
export function filesOf(
  prefix: ArchivePrefix,
  streamName: string,
  shardId: string,
  records: readonly ArchivableRecord[],
): ArchiveFile[] {
  const byPartition = new Map<string, ArchivableRecord[]>();
  for (const record of records) {
    const partition = partitionOf(prefix, record.arrivedAt);
    const group = byPartition.get(partition) ?? [];
    group.push(record);
    byPartition.set(partition, group);
  }
  return [...byPartition].map(([partition, group]) => ({
    partition,
    name: archiveFileName(streamName, shardId, (group[0] as ArchivableRecord).sequenceNumber),
    records: group,
  }));
}
