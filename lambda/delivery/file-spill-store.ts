import { randomUUID } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { failEveryItem } from './retry-until-deadline';
import { type SpilledRecord, type SpillReport, type SpillStore, spillMessageBody } from './spill-store';

/** Spill files end with this; a file being written has `.tmp` after it until it is complete. */
export const SPILL_FILE_SUFFIX = '.jsonl';

/**
 * A new spill file's name: spill files sort by the time they were written (the redrive reads them
 * oldest first), and the UUID keeps writers of the same millisecond apart.
 */
export function newSpillFileName(): string {
  return `spill-${Date.now()}-${randomUUID()}${SPILL_FILE_SUFFIX}`;
}

/** The text of a spill file holding `lines`: spill message bodies, one per line (JSON Lines). */
export function spillFileText(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * Writes `text` to `directory/name` and makes it durable: written to `name.tmp`, fsync'd, renamed
 * into place, directory fsync'd, so a visible spill file is always complete (the redrive rewrites
 * files the same way).
 */
export async function writeDurably(directory: string, name: string, text: string): Promise<void> {
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
    const text = spillFileText(records.map(spillMessageBody));
    const name = newSpillFileName();
    try {
      this.ready ??= mkdir(this.directory, { recursive: true });
      await this.ready;
      await writeDurably(this.directory, name, text);
      return { failed: [] };
    } catch (error) {
      this.ready = undefined;
      const { failed } = failEveryItem(
        records.map((_, index) => index),
        error,
        () => true,
        'SpillFileError',
      );
      return { failed };
    }
  }
}
