import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { newSpillFileName, SPILL_FILE_SUFFIX, writeDurably } from '../../lambda/delivery/file-spill-store';
import { fromSpillMessage, type SpilledRecord, toSpillMessage } from '../../lambda/delivery/spill-store';
import type { SpillLease, SpillSource } from './spill-redrive';

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
    await writeDurably(directory, newSpillFileName(), text);
  }
  await unlink(join(directory, name));
}

/** The spill files of local mode as a redrive source: one lease per file, files present at the start. */
export class FileSpillSource implements SpillSource {
  private files: Promise<string[]> | undefined;

  constructor(readonly directory: string) {}

  async size(): Promise<number> {
    const files = await readSpillFiles(this.directory);
    return files.reduce((sum, file) => sum + file.records.length, 0);
  }

  async next(): Promise<SpillLease | undefined> {
    this.files ??= readdir(this.directory).then(
      (names) => names.filter((name) => name.endsWith(SPILL_FILE_SUFFIX)).sort(),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    const name = (await this.files).shift();
    if (name === undefined) return undefined;
    const lines = (await readFile(join(this.directory, name), 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '');
    const records: SpilledRecord[] = [];
    const unreadableLines: string[] = [];
    for (const line of lines) {
      try {
        records.push(fromSpillMessage(line));
      } catch {
        unreadableLines.push(line);
      }
    }
    return {
      records,
      unreadable: unreadableLines.length,
      settle: async (done) => {
        const finished = new Set(done);
        const keep = records.filter((_, index) => !finished.has(index));
        if (unreadableLines.length === 0) {
          await rewriteSpillFile(this.directory, name, keep);
          return;
        }
        // Unreadable lines stay, byte for byte, for a person to look at.
        const text = [...keep.map((record) => JSON.stringify(toSpillMessage(record))), ...unreadableLines]
          .map((line) => `${line}\n`)
          .join('');
        await writeDurably(this.directory, newSpillFileName(), text);
        await unlink(join(this.directory, name));
      },
    };
  }
}
