import { open, readFile } from 'node:fs/promises';
import { writeDurably } from '../archive/archive-checkpoint';

/** How far one archive file was replayed. */
export interface FileProgress {
  /** Lines before this one are done (written, skipped or suppressed), except those in `pending`. */
  readonly done: number;
  /** Lines before `done` the stream did not take: the next run writes them. */
  readonly pending?: readonly number[];
}

/**
 * A replay's checkpoint file (`--checkpoint`): the run it belongs to (its range, filters and target,
 * so a different run cannot resume from it) and each archive file's progress. Written after each
 * batch is durable in the stream, so a run resumed after an interruption writes nothing twice.
 */
export interface ReplayCheckpoint {
  readonly run: string;
  readonly files: Readonly<Record<string, FileProgress>>;
}

/** A checkpoint names another run than the one asked for: the message says what to do. */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
}

/** The checkpoint at `path` for `run`: a new one when the file does not exist. */
export async function loadReplayCheckpoint(path: string, run: string): Promise<ReplayCheckpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { run, files: {} };
    throw error;
  }
  const checkpoint = JSON.parse(text) as ReplayCheckpoint;
  if (checkpoint.run !== run) {
    throw new CheckpointMismatchError(
      `--checkpoint ${path} belongs to another replay (${checkpoint.run}), not this one (${run}): give a new --checkpoint file, or the same options as that run to resume it`,
    );
  }
  return checkpoint;
}

/** Saves the checkpoint durably (temporary file, flush, rename). */
export function saveReplayCheckpoint(path: string, checkpoint: ReplayCheckpoint): Promise<void> {
  return writeDurably(path, Buffer.from(`${JSON.stringify(checkpoint)}\n`));
}

/**
 * The event ids a run has written, beside its checkpoint (`<checkpoint>.ids`, one per line): a run
 * resumed from the checkpoint skips them where the archive holds a second copy further on.
 * Appended and flushed after each batch the stream took, before the checkpoint is saved.
 */
export function writtenIdsPath(checkpointPath: string): string {
  return `${checkpointPath}.ids`;
}

/** The ids written so far by the run of this checkpoint (none for a new one). */
export async function loadWrittenIds(checkpointPath: string, isNew: boolean): Promise<Set<string>> {
  if (isNew) return new Set();
  try {
    return new Set(
      (await readFile(writtenIdsPath(checkpointPath), 'utf8')).split('\n').filter((id) => id !== ''),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}

/** Appends `ids` to the run's written ids durably (a new run's file starts empty). */
export async function appendWrittenIds(
  checkpointPath: string,
  ids: readonly string[],
  truncate: boolean,
): Promise<void> {
  const file = await open(writtenIdsPath(checkpointPath), truncate ? 'w' : 'a');
  try {
    if (ids.length > 0) await file.writeFile(`${ids.join('\n')}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}
