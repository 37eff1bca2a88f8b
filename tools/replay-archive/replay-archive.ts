import type { OutgoingRecord, RecordWriter } from '../../lambda/delivery/record-writer';
import type { SuppressionCheck } from '../../lambda/delivery/suppression-check';
import { type PartitionKeyStrategy, partitionKeyFor } from '../../lambda/events/partition-key';
import { isSuppressed, type SuppressedIdKind } from '../../lambda/events/suppression';
import { partitionsBetween } from '../archive/archive-layout';
import type { ArchiveSource } from './archive-source';
import type { EventPacer } from './event-pacer';
import {
  appendWrittenIds,
  type FileProgress,
  loadReplayCheckpoint,
  loadWrittenIds,
  type ReplayCheckpoint,
  saveReplayCheckpoint,
} from './replay-checkpoint';

/** The counts of a replay run. */
export interface ReplayArchiveSummary {
  /** Events received in the range (in the hour partitions that can hold it). */
  read: number;
  /** Written to the stream (with `dryRun`: that would be). */
  written: number;
  /** Not written: another source or type than asked, an `event_id` already written in this run, an unreadable line, or (with dedup) already in the stream. */
  skipped: number;
  /** Not written: the user is suppressed for the event's source (the suppression list). */
  suppressed: number;
  /** The stream did not take them (after retries until the batch's budget): the next run with the checkpoint writes them. */
  failed: number;
  /** Archive files in the range, and those read to their end. */
  files: number;
  filesDone: number;
  /** The run stopped early (its signal aborted, or a batch failed): run it again with the checkpoint. */
  interrupted: boolean;
}

export interface ReplayArchiveOptions {
  readonly source: ArchiveSource;
  /** Events whose receive time (`received_at`) is at or after `from` and before `to`. */
  readonly from: Date;
  readonly to: Date;
  /** Only events of these sources (`source_id`). @default all */
  readonly sourceIds?: readonly string[];
  /** Only events of these types (`type`). @default all */
  readonly types?: readonly string[];
  /** The target stream's name: part of the run's identity in the checkpoint. */
  readonly targetName: string;
  /** The collector's writer to the target stream (with dedup in front of it when asked). */
  readonly writer: RecordWriter;
  /** Count, write nothing, save no checkpoint. */
  readonly dryRun?: boolean;
  /**
   * The suppression list: events of users suppressed for their source are never written.
   * `undefined` only with `--ignore-suppression` (the CLI warns).
   */
  readonly suppression: SuppressionCheck | undefined;
  /** Paces the writes. @default no pacing */
  readonly pacer?: EventPacer;
  /** Resume from and save progress to this file. @default no checkpoint */
  readonly checkpointPath?: string;
  /** The partition key strategy of an event's source (`partitionKey` in the configuration). @default 'user' */
  readonly partitionKeyOf?: (sourceId: string | undefined) => PartitionKeyStrategy;
  /** The source's dedup window, for records the dedup writer checks and marks (`--dedup`). @default none */
  readonly dedupWindowSeconds?: (sourceId: string | undefined) => number | undefined;
  /** `context.kinesis_event_forwarder.replayed_at` of every event of the run. @default the run's start */
  readonly replayedAt?: Date;
  /** Events per write. @default 500 */
  readonly batchSize?: number;
  /** Time each batch may take to write, retries included. @default 30000 */
  readonly batchBudgetMs?: number;
  /** Hours after `to` whose partitions are read too (events that arrived late). @default 1 */
  readonly lateHours?: number;
  /** Aborting stops the run after the batch in flight (its checkpoint saved). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (summary: Readonly<ReplayArchiveSummary>) => void;
}

/** The fields replay reads of an archived record: an envelope, or a `segment`-format record. */
interface ArchivedEvent {
  readonly record: Record<string, unknown>;
  readonly eventId: string;
  readonly receivedAt: number;
  readonly sourceId: string | undefined;
  readonly type: unknown;
  readonly userId: string | null;
  readonly anonymousId: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The line as an event, or `undefined` when it is not one (not JSON, no id or receive time). */
function eventOf(line: string): ArchivedEvent | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const object = record as Record<string, unknown>;
  const eventId = text(object.event_id) ?? text(object.messageId);
  const receivedAt = Date.parse(String(object.received_at ?? object.receivedAt ?? ''));
  if (eventId === null || Number.isNaN(receivedAt)) return undefined;
  return {
    record: object,
    eventId,
    receivedAt,
    sourceId: text(object.source_id) ?? undefined,
    type: object.type,
    userId: text(object.user_id) ?? text(object.userId),
    anonymousId: text(object.anonymous_id) ?? text(object.anonymousId),
  };
}

/** The record as replay writes it: unchanged but for `context.kinesis_event_forwarder.replayed_at`. */
export function stampReplayed(record: Record<string, unknown>, replayedAt: Date): Record<string, unknown> {
  const context =
    typeof record.context === 'object' && record.context !== null && !Array.isArray(record.context)
      ? (record.context as Record<string, unknown>)
      : {};
  const ours =
    typeof context.kinesis_event_forwarder === 'object' && context.kinesis_event_forwarder !== null
      ? (context.kinesis_event_forwarder as Record<string, unknown>)
      : {};
  return {
    ...record,
    context: { ...context, kinesis_event_forwarder: { ...ours, replayed_at: replayedAt.toISOString() } },
  };
}

/** What identifies a run in its checkpoint: the same options resume it, others are refused. */
export function runIdentity(
  options: Pick<ReplayArchiveOptions, 'from' | 'to' | 'sourceIds' | 'types' | 'targetName'> & {
    readonly archive: string;
  },
): string {
  return JSON.stringify({
    archive: options.archive,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    sources: [...(options.sourceIds ?? [])].sort(),
    types: [...(options.types ?? [])].sort(),
    to_stream: options.targetName,
  });
}

/** Thrown when the suppression list cannot be read: nothing of the batch was written (fail closed). */
export class SuppressionLookupError extends Error {
  override readonly name = 'SuppressionLookupError';
}

/**
 * Replays the archived events received in a time range into a stream: reads the hour partitions
 * that can hold them (archive-layout.ts `partitionsBetween`), keeps events whose `received_at` is in
 * `[from, to)` (and of the given sources and types), and writes each through the collector's
 * writer with its original `event_id` and partition key, marked with
 * `context.kinesis_event_forwarder.replayed_at`. Never writes an event twice in one run (by
 * `event_id`), never writes a suppressed user's event (unless `suppression` is `undefined`), paces
 * itself with `pacer`, and saves a checkpoint after each durable batch, so a run resumed after an
 * interruption writes nothing twice. Stops at the first batch the stream does not take.
 */
export async function replayArchive(options: ReplayArchiveOptions): Promise<ReplayArchiveSummary> {
  const replayedAt = options.replayedAt ?? new Date();
  const batchSize = Math.max(
    1,
    Math.min(options.batchSize ?? 500, Math.floor(options.pacer?.eventsPerSecond ?? 500)),
  );
  const run = runIdentity({ ...options, archive: options.source.description });
  const save = !options.dryRun && options.checkpointPath !== undefined;
  let checkpoint: ReplayCheckpoint =
    options.checkpointPath === undefined
      ? { run, files: {} }
      : await loadReplayCheckpoint(options.checkpointPath, run);
  const isNewRun = Object.keys(checkpoint.files).length === 0;
  const written =
    save && options.checkpointPath !== undefined
      ? await loadWrittenIds(options.checkpointPath, isNewRun)
      : new Set<string>();
  let truncateIds = isNewRun;
  const summary: ReplayArchiveSummary = {
    read: 0,
    written: 0,
    skipped: 0,
    suppressed: 0,
    failed: 0,
    files: 0,
    filesDone: 0,
    interrupted: false,
  };
  const report = () => options.onProgress?.({ ...summary });
  const keys: string[] = [];
  for (const partition of partitionsBetween('events', options.from, options.to, options.lateHours ?? 1)) {
    keys.push(...(await options.source.list(partition)));
  }
  summary.files = keys.length;
  report();
  const sources = options.sourceIds === undefined ? undefined : new Set(options.sourceIds);
  const types = options.types === undefined ? undefined : new Set(options.types);

  const setProgress = async (key: string, progress: FileProgress) => {
    checkpoint = { ...checkpoint, files: { ...checkpoint.files, [key]: progress } };
    if (save) await saveReplayCheckpoint(options.checkpointPath as string, checkpoint);
  };

  /** Writes a batch; returns the line indices the stream did not take. */
  const writeBatch = async (batch: readonly { index: number; event: ArchivedEvent }[]): Promise<number[]> => {
    const allowed =
      options.suppression === undefined ? batch : await unsuppressed(options.suppression, batch);
    summary.suppressed += batch.length - allowed.length;
    if (allowed.length === 0) return [];
    if (options.dryRun) {
      summary.written += allowed.length;
      return [];
    }
    await options.pacer?.take(allowed.length);
    const records: OutgoingRecord[] = allowed.map(({ event }) => {
      const window = options.dedupWindowSeconds?.(event.sourceId);
      return {
        data: Buffer.from(JSON.stringify(stampReplayed(event.record, replayedAt))),
        partitionKey: partitionKeyFor(
          { eventId: event.eventId, userId: event.userId, anonymousId: event.anonymousId },
          options.partitionKeyOf?.(event.sourceId) ?? 'user',
        ),
        ...(window === undefined
          ? {}
          : { dedup: { sourceId: event.sourceId ?? '', messageId: event.eventId, windowSeconds: window } }),
      };
    });
    const result = await options.writer.write(records, Date.now() + (options.batchBudgetMs ?? 30_000));
    if (save) {
      const failedIndices = new Set(result.failed.map((failure) => failure.index));
      await appendWrittenIds(
        options.checkpointPath as string,
        allowed.filter((_, index) => !failedIndices.has(index)).map(({ event }) => event.eventId),
        truncateIds,
      );
      truncateIds = false;
    }
    const duplicates = result.duplicates ?? 0;
    summary.failed += result.failed.length;
    summary.skipped += duplicates;
    summary.written += records.length - result.failed.length - duplicates;
    for (const failure of result.failed)
      written.delete((allowed[failure.index] as { event: ArchivedEvent }).event.eventId);
    return result.failed.map((failure) => (allowed[failure.index] as { index: number }).index);
  };

  files: for (const key of keys) {
    const progress = checkpoint.files[key] ?? { done: 0 };
    const pending = new Set(progress.pending ?? []);
    let done = progress.done;
    const lines = (await options.source.read(key)).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let batch: { index: number; event: ArchivedEvent }[] = [];
    const flush = async (upTo: number) => {
      const failed = await writeBatch(batch);
      for (const { index } of batch) pending.delete(index);
      for (const index of failed) pending.add(index);
      batch = [];
      done = Math.max(done, upTo);
      await setProgress(key, {
        done,
        ...(pending.size === 0 ? {} : { pending: [...pending].sort((a, b) => a - b) }),
      });
      report();
      if (failed.length > 0) summary.interrupted = true;
    };
    for (let index = 0; index < lines.length; index++) {
      if (index < progress.done && !pending.has(index)) continue;
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break files;
      }
      const event = eventOf(lines[index] as string);
      if (event === undefined) {
        summary.skipped++;
        continue;
      }
      if (event.receivedAt < options.from.getTime() || event.receivedAt >= options.to.getTime()) continue;
      summary.read++;
      const wanted =
        (sources === undefined || (event.sourceId !== undefined && sources.has(event.sourceId))) &&
        (types === undefined || types.has(String(event.type)));
      if (!wanted || written.has(event.eventId)) {
        summary.skipped++;
        continue;
      }
      written.add(event.eventId);
      batch.push({ index, event });
      if (batch.length >= batchSize) {
        await flush(index + 1);
        if (summary.interrupted) break files;
      }
    }
    await flush(lines.length);
    if (summary.interrupted) break;
    summary.filesDone++;
  }
  report();
  return { ...summary };
}

/** The events of `batch` whose users are not suppressed for their source, in one lookup per source. */
async function unsuppressed<T extends { event: ArchivedEvent }>(
  check: SuppressionCheck,
  batch: readonly T[],
): Promise<T[]> {
  const bySource = new Map<string, T[]>();
  for (const item of batch) {
    const key = item.event.sourceId ?? '';
    bySource.set(key, [...(bySource.get(key) ?? []), item]);
  }
  const allowed = new Set<T>();
  for (const [sourceId, items] of bySource) {
    const ids = items.flatMap(({ event }) => [
      ...(event.userId === null ? [] : [{ kind: 'userId' as SuppressedIdKind, id: event.userId }]),
      ...(event.anonymousId === null
        ? []
        : [{ kind: 'anonymousId' as SuppressedIdKind, id: event.anonymousId }]),
    ]);
    let suppressed: Set<string>;
    try {
      suppressed = await check.suppressedIds(sourceId, ids);
    } catch (error) {
      throw new SuppressionLookupError(
        `The suppression list could not be read (${(error as Error).message}): nothing of this batch was written. Give replay a readable list (--suppression-table, --dynamodb-endpoint, --hash-key-secret), or replay with --ignore-suppression only if no user may be suppressed`,
        { cause: error },
      );
    }
    for (const item of items) {
      if (!isSuppressed({ userId: item.event.userId, anonymousId: item.event.anonymousId }, suppressed))
        allowed.add(item);
    }
  }
  return batch.filter((item) => allowed.has(item));
}
