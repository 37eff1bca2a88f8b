import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fromSpillMessage,
  type SpilledRecord,
  type SpillReport,
  type SpillStore,
  toSpillMessage,
} from './spill-store';

/** Spill files end with this; a file being written has `.tmp` after it until it is complete. */
export const SPILL_FILE_SUFFIX = '.jsonl';

function errorCodeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : 'SpillFileError';
}

/** Writes `text` to `path` and makes it durable: written, fsync'd, renamed into place, directory fsync'd. */
async function writeDurably(directory: string, name: string, text: string): Promise<void> {
  const temporary = join(directory, `${name}.tmp`);
  const file = await open(temporary, 'wx');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(directory, name));
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * The spill store of local mode: JSON lines (one spill message per line, the SQS message shape)
 * under a directory, one new file per spilled batch. A file becomes visible (renamed from `.tmp`)
 * only once its content is fsync'd, so a visible file is always complete and never changes:
 * the redrive can read and delete files while the collector keeps spilling.
 */
export class FileSpillStore implements SpillStore {
  private ready: Promise<unknown> | undefined;

  constructor(readonly directory: string) {}

  async spill(records: readonly SpilledRecord[], _deadline: number): Promise<SpillReport> {
    if (records.length === 0) return { failed: [] };
    const text = records.map((record) => `${JSON.stringify(toSpillMessage(record))}\n`).join('');
    const name = `spill-${Date.now()}-${randomUUID()}${SPILL_FILE_SUFFIX}`;
    try {
      this.ready ??= mkdir(this.directory, { recursive: true });
      await this.ready;
      await writeDurably(this.directory, name, text);
      return { failed: [] };
    } catch (error) {
      this.ready = undefined;
      const errorCode = errorCodeOf(error);
      const errorMessage = error instanceof Error ? error.message : String(error);
      return { failed: records.map((_, index) => ({ index, errorCode, errorMessage })) };
    }
  }
}

/** One complete spill file and its records, in order. */
export interface SpillFile {
  readonly name: string;
  readonly records: readonly SpilledRecord[];
}

/** The complete spill files in `directory`, oldest first (none if it does not exist). */
export async function readSpillFiles(directory: string): Promise<SpillFile[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: SpillFile[] = [];
  for (const name of names.filter((entry) => entry.endsWith(SPILL_FILE_SUFFIX)).sort()) {
    const text = await readFile(join(directory, name), 'utf8');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    files.push({ name, records: lines.map(fromSpillMessage) });
  }
  return files;
}

/**
 * Replaces a spill file by the records still to keep: deleted when none are left, else a new
 * complete file is written first and only then the old one removed (a crash in between leaves
 * both, and the redrive skips the duplicates by event id).
 */
export async function rewriteSpillFile(
  directory: string,
  name: string,
  keep: readonly SpilledRecord[],
): Promise<void> {
  if (keep.length > 0) {
    const text = keep.map((record) => `${JSON.stringify(toSpillMessage(record))}\n`).join('');
    await writeDurably(directory, `spill-${Date.now()}-${randomUUID()}${SPILL_FILE_SUFFIX}`, text);
  }
  await unlink(join(directory, name));
}
