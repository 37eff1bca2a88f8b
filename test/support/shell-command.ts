import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type StartedCollector, signalGroup } from './npm-start';

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
  const child = spawn('bash', ['-c', text], {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, output: () => output, exited };
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
