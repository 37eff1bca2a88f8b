import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundledEntry } from './bundled-entry';

const ROOT = join(__dirname, '..', '..');

/** `npm start` (or the local collector's bundled entry) running in its own process group, as a terminal would run it. */
export interface StartedCollector {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  readonly output: () => string;
  /** The exit code, or the signal's name when npm re-raised the signal its script got. */
  readonly exited: Promise<number | string | null>;
}

/**
 * Starts `command` in its own process group (so a kill reaches its children) with `env` added to
 * this process's environment, collecting stdout and stderr together.
 */
export function spawnCollecting(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): StartedCollector {
  const child = spawn(command, args, {
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

/** Runs `npm start --silent [-- args]` with `env` added to this process's environment. */
export function npmStart(env: Record<string, string>, args: readonly string[] = []): StartedCollector {
  return spawnCollecting(
    'npm',
    ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])],
    ROOT,
    env,
  );
}

/**
 * Starts the local collector's entry, bin/local-collector.ts, as `node <bundle> [args]`: the same
 * code `npm start` runs, bundled once per jest run (test/support/bundled-entry.ts), for tests whose
 * subject is local mode or a configuration rather than npm's script wrapper: ~0.85 s of CPU to the
 * banner instead of ~1.9 s for npm, tsx and the sources. Same process group, output and exit as
 * {@link npmStart}. test/local/npm-start.test.ts, test/local/external-id.test.ts and the examples the
 * docs start with `npm start -- --config` keep starting `npm start` itself.
 */
export async function startLocalCollector(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<StartedCollector> {
  const entry = await bundledEntry('bin/local-collector.ts', { packages: 'external' });
  return spawnCollecting(process.execPath, [entry, ...args], ROOT, env);
}

/** The first match of `pattern` in the output, once printed; fails with the output so far. */
export async function waitForOutput(
  started: StartedCollector,
  pattern: RegExp,
  timeoutMs = 45_000,
): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`"${pattern}" not printed; output so far:\n${started.output()}`);
}

/** Sends `signal` to the whole process group (SIGINT: Ctrl-C); nothing if it is already gone. */
export function signalGroup(started: StartedCollector, signal: NodeJS.Signals = 'SIGINT'): void {
  if (started.child.pid === undefined) return;
  try {
    process.kill(-started.child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** What the banner of a running `npm start` says, once printed. */
export interface LocalBanner {
  readonly collectorUrl: string;
  readonly kinesisEndpoint: string;
  readonly faultsUrl: string;
}

/** Waits for the banner and returns the URLs it prints. */
export async function waitForBanner(started: StartedCollector): Promise<LocalBanner> {
  await waitForOutput(started, /Press Ctrl-C to stop\./);
  const output = started.output();
  const url = (pattern: RegExp) => (pattern.exec(output)?.[1] as string) ?? '';
  return {
    collectorUrl: url(/Collector URL:\s+(\S+)/),
    kinesisEndpoint: url(/Kinesis endpoint:\s+(\S+)/),
    faultsUrl: url(/Fault switches:\s+(\S+)/),
  };
}

/** Stops the collector like Ctrl-C twice would not: SIGKILL to the group, then waits for the exit. */
export async function killStarted(started: StartedCollector): Promise<void> {
  signalGroup(started, 'SIGKILL');
  await started.exited;
}
