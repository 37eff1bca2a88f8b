import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { readShard, type ShardRecord, sleep } from './shard-reader';
import type { StartPosition } from './tail-args';

export interface StreamTailOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly start: StartPosition;
  /** Keep reading until `signal` aborts, following new shards; else stop when every shard is caught up. */
  readonly follow: boolean;
  readonly signal: AbortSignal;
  readonly onRecords: (records: readonly ShardRecord[]) => void | Promise<void>;
  /** Wait between polls of a caught-up shard. @default 1000 */
  readonly pollMs?: number;
  /** See `ShardReadOptions.timestampOnClient`. @default false */
  readonly timestampOnClient?: boolean;
  /**
   * Called once every shard found at the start has its iterator open (from LATEST: records
   * written from then on will be read).
   */
  readonly onReady?: (shardCount: number) => void;
  /** How often the shard list is read again when following (it is also read when a shard closes). @default 30000 */
  readonly relistMs?: number;
  /** A shard is about to be read (before any of its records). */
  readonly onShardStart?: (shardId: string) => void;
  /**
   * A shard's reading ended (read to its end, caught up, or stopped), called only once any child
   * shard it was holding back has started: a merge across shards never misses a shard in between.
   */
  readonly onShardEnd?: (shardId: string) => void;
}

/** Every shard of the stream, across ListShards pages. */
export async function listShards(
  client: KinesisClient,
  streamName: string,
  signal?: AbortSignal,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

const isClosed = (shard: Shard) => shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;

/**
 * Reads every shard of a stream at once, each from the start position; a child shard (after a
 * split or merge) is read only once its parents are read to their end, from its beginning, so
 * records of one partition key come out in order. From LATEST, closed shards are skipped.
 * Resolves when every shard is caught up (without `follow`) or when `signal` aborts; rejects with
 * the first read error.
 */
export async function tailStream(options: StreamTailOptions): Promise<void> {
  const { client, streamName, signal } = options;
  const state = new Map<string, 'reading' | 'done'>();
  const readers: Promise<void>[] = [];
  let failure: unknown;
  let wake: () => void = () => undefined;
  let relistNow = false;
  const failed = new AbortController();
  const stop = AbortSignal.any([signal, failed.signal]);
  const ended: string[] = [];
  const reportEnded = () => {
    for (const shardId of ended.splice(0)) options.onShardEnd?.(shardId);
  };
  let opening: Set<string> | undefined = new Set();
  let initialReaders = 0;
  const opened = (shardId: string) => {
    if (opening === undefined) return;
    opening.delete(shardId);
    if (opening.size === 0) {
      opening = undefined;
      options.onReady?.(initialReaders);
    }
  };

  const schedule = (shards: readonly Shard[], initial: boolean) => {
    const listed = new Set(shards.map((shard) => shard.ShardId));
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      if (state.has(shardId)) continue;
      if (initial && options.start.type === 'LATEST' && isClosed(shard)) {
        state.set(shardId, 'done');
        continue;
      }
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
        (parent): parent is string => parent !== undefined && listed.has(parent),
      );
      if (parents.some((parent) => state.get(parent) !== 'done')) continue;
      // A shard found later (a child) is read from its beginning: LATEST would skip what was
      // written to it before it was found.
      const start =
        !initial && options.start.type === 'LATEST' ? ({ type: 'TRIM_HORIZON' } as const) : options.start;
      state.set(shardId, 'reading');
      if (initial && opening !== undefined) {
        opening.add(shardId);
        initialReaders++;
      }
      options.onShardStart?.(shardId);
      readers.push(
        readShard({
          client,
          streamName,
          shardId,
          start,
          follow: options.follow,
          pollMs: options.pollMs ?? 1_000,
          signal: stop,
          onRecords: options.onRecords,
          onOpen: () => opened(shardId),
          timestampOnClient: options.timestampOnClient === true,
        }).then(
          (end) => {
            state.set(shardId, 'done');
            ended.push(shardId);
            if (end === 'closed') relistNow = true;
            wake();
          },
          (error: unknown) => {
            ended.push(shardId);
            failure ??= error;
            failed.abort();
            wake();
          },
        ),
      );
    }
  };

  let shards = await listShards(client, streamName, signal);
  schedule(shards, true);
  // Children whose parents were skipped or already read can start now.
  schedule(shards, true);
  if (opening.size === 0) {
    opening = undefined;
    options.onReady?.(initialReaders);
  }
  const relistMs = options.relistMs ?? 30_000;
  let lastList = Date.now();
  for (;;) {
    if (failure !== undefined) throw failure;
    if (stop.aborted) break;
    const reading = [...state.values()].some((value) => value === 'reading');
    if (!options.follow && !reading) {
      // A closed shard's children may be waiting for it.
      const before = state.size;
      schedule(shards, false);
      reportEnded();
      if (state.size === before) break;
      continue;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (options.follow) void sleep(Math.max(0, relistMs - (Date.now() - lastList)), stop).then(resolve);
      else if (!reading) resolve();
    });
    wake = () => undefined;
    if (stop.aborted) continue;
    if (options.follow && (relistNow || Date.now() - lastList >= relistMs)) {
      relistNow = false;
      shards = await listShards(client, streamName, stop).catch((error: unknown) => {
        if (stop.aborted) return shards;
        throw error;
      });
      lastList = Date.now();
    }
    schedule(shards, false);
    reportEnded();
  }
  await Promise.all(readers);
  reportEnded();
  if (failure !== undefined) throw failure;
}
