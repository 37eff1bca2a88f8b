import { setTimeout as sleep } from 'node:timers/promises';
import { type StartedCollector, signalGroup, spawnCollecting } from './npm-start';

/** What a finished shell command left: its exit code (or signal name) and its output, interleaved. */
export interface ShellRun {
  readonly code: number | string | null;
  readonly output: string;
}

/**
 * Runs `text` with `bash -c` in `cwd`, as a user pastes it into a terminal (pipes, `$( )`,
 * `VAR=value` prefixes included), in its own process group, with `env` added to this process's
 * environment. Its output and exit are collected as {@link StartedCollector} does for `npm start`.
 */
export function startShell(
  text: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
): StartedCollector {
  return spawnCollecting('bash', ['-c', text], cwd, env);
}

/**
 * Runs `text` (see {@link startShell}) to its end; after `timeoutMs` its process group is killed and
 * the run counts as `'timeout'`.
 */
export async function runShell(
  text: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<ShellRun> {
  const started = startShell(text, cwd, env);
  const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
  const code = await Promise.race([started.exited, timer]);
  if (code === 'timeout') {
    signalGroup(started, 'SIGKILL');
    await started.exited;
  }
  return { code, output: started.output() };
}
