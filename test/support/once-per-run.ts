import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/** How often a worker waiting for another worker's result looks for it. */
const POLL_MS = 250;

export interface OncePerRunOptions {
  /**
   * Where the result and its files go. @default the jest run's cache directory (made by
   * test/support/global-setup.ts, removed after the run), else a new temporary directory
   */
  readonly dir?: string;
  /** Longest a waiting worker waits for the worker producing the result. @default 5 minutes */
  readonly waitMs?: number;
}

/**
 * Produces something expensive once per jest run and shares it with every test file in every worker:
 * a bundling `cdk synth`, a packed tarball, a built site. The first caller runs `produce(workDir)`
 * (`workDir`: an empty directory of its own for files the result points at) and stores its JSON
 * result; a caller in another worker meanwhile waits for it, later callers read it. `key` names
 * what is produced, including every input that changes it. `produce` should return a failure as a
 * value (an exit status, output), not throw: a throw is not stored, so the next caller tries again.
 * Shared files are read-only for the tests that use them.
 */
export async function oncePerRun<T>(
  key: string,
  produce: (workDir: string) => Promise<T>,
  options: OncePerRunOptions = {},
): Promise<T> {
  const dir = options.dir ?? process.env[SYNTH_CACHE_DIR_ENV] ?? mkdtempSync(join(tmpdir(), 'kef-once-'));
  const safeKey = key.replace(/[^\w.-]/g, '_');
  const resultFile = join(dir, `${safeKey}.result.json`);
  const lock = join(dir, `${safeKey}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 5 * 60_000);
  while (!existsSync(resultFile)) {
    try {
      mkdirSync(lock);
    } catch {
      // Another worker holds the lock: wait for its result (or for the lock to be freed by a throw).
      if (Date.now() > deadline) throw new Error(`timed out waiting for another worker to produce ${key}`);
      await sleep(POLL_MS);
      continue;
    }
    try {
      if (existsSync(resultFile)) break;
      const workDir = join(dir, safeKey);
      mkdirSync(workDir, { recursive: true });
      const result = await produce(workDir);
      // Written whole under another name, then renamed: a waiting worker never reads half a file.
      writeFileSync(`${resultFile}.partial`, JSON.stringify({ result }));
      renameSync(`${resultFile}.partial`, resultFile);
    } finally {
      rmdirSync(lock);
    }
  }
  return (JSON.parse(readFileSync(resultFile, 'utf8')) as { result: T }).result;
}
