import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The archive folder's own bookkeeping; no table reads it (it is outside `events/` and `failed/`). */
export const CHECKPOINT_DIR = '.checkpoints';

/**
 * Where the archiver got to in one shard: every record up to `sequenceNumber` is in a durable file.
 * `streamCreatedAt` tells a checkpoint of this stream from one of an earlier stream of the same name
 * (kinesalite keeps streams in memory: each `npm start` has new ones, read from their start).
 */
export interface ShardCheckpoint {
  readonly streamName: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly streamCreatedAt: string;
}

/** The checkpoint file of a shard: `<dir>/.checkpoints/<stream>/<shardId>.json`. */
export function checkpointPath(dir: string, streamName: string, shardId: string): string {
  return join(dir, CHECKPOINT_DIR, streamName, `${shardId}.json`);
}

/** A shard's checkpoint, or `undefined` when there is none (or it is of another stream of that name). */
export async function readCheckpoint(
  dir: string,
  streamName: string,
  shardId: string,
  streamCreatedAt: string,
): Promise<ShardCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(checkpointPath(dir, streamName, shardId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const checkpoint = JSON.parse(text) as ShardCheckpoint;
  return checkpoint.streamCreatedAt === streamCreatedAt ? checkpoint : undefined;
}

/** Records that `checkpoint.sequenceNumber` and everything before it is archived (durably, see {@link writeDurably}). */
export function writeCheckpoint(dir: string, checkpoint: ShardCheckpoint): Promise<void> {
  return writeDurably(
    checkpointPath(dir, checkpoint.streamName, checkpoint.shardId),
    Buffer.from(`${JSON.stringify(checkpoint)}\n`),
  );
}

/**
 * Writes `data` to `path` so that a crash leaves either the old file or the whole new one: a
 * temporary file beside it (a dot file, never matched by `*.json.gz`), flushed to disk, renamed
 * over `path`, then the folder flushed so the rename itself survives.
 */
export async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${randomUUID()}.tmp`);
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  const folderHandle = await open(folder, 'r');
  try {
    await folderHandle.sync();
  } finally {
    await folderHandle.close();
  }
}
