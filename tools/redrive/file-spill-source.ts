import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  newSpillFileName,
  SPILL_FILE_SUFFIX,
  spillFileText,
  writeDurably,
} from '../../lambda/delivery/file-spill-store';
import { fromSpillMessage, type SpilledRecord, spillMessageBody } from '../../lambda/delivery/spill-store';
import type { SpillLease, SpillSource } from './spill-redrive';

/** One complete spill file and its records, in order. */
export interface SpillFile {
  readonly name: string;
  readonly records: readonly SpilledRecord[];
}

/** The names of the complete spill files in `directory`, oldest first (none if it does not exist). */
async function spillFileNames(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => name.endsWith(SPILL_FILE_SUFFIX)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The non-blank lines of one spill file: one spill message body each. */
async function spillFileLines(directory: string, name: string): Promise<string[]> {
  const text = await readFile(join(directory, name), 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** The complete spill files in `directory`, oldest first (none if it does not exist). */
export async function readSpillFiles(directory: string): Promise<SpillFile[]> {
  const files: SpillFile[] = [];
  for (const name of await spillFileNames(directory)) {
    files.push({ name, records: (await spillFileLines(directory, name)).map(fromSpillMessage) });
  }
  return files;
}

/**
 * Replaces a spill file by the records still to keep, and the lines that could not be read (kept
 * byte for byte, for a person to look at): deleted when nothing is left, else a new complete file is
 * written first and only then the old one removed (a crash in between leaves both, and the redrive
 * skips the duplicates by event id).
 */
export async function rewriteSpillFile(
  directory: string,
  name: string,
  keep: readonly SpilledRecord[],
  unreadableLines: readonly string[] = [],
): Promise<void> {
  const lines = [...keep.map(spillMessageBody), ...unreadableLines];
  if (lines.length > 0) await writeDurably(directory, newSpillFileName(), spillFileText(lines));
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
    this.files ??= spillFileNames(this.directory);
    const name = (await this.files).shift();
    if (name === undefined) return undefined;
    const lines = await spillFileLines(this.directory, name);
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
        await rewriteSpillFile(this.directory, name, keep, unreadableLines);
      },
    };
  }
}
