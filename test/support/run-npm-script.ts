import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a finished command left: its exit code and its stdout and stderr, interleaved. */
export interface NpmScriptRun {
  readonly code: number | null;
  readonly output: string;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `command ...args` in the repo root with `env` added to this process's environment, and
 * resolves with its exit code and output once it has exited and its output is read to the end.
 */
export function runToEnd(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<NpmScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Runs `npm run -s <script> -- ...args` in the repo root with `env` added to this process's
 * environment ({@link runToEnd}).
 */
export function runNpmScript(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<NpmScriptRun> {
  return runToEnd('npm', ['run', '-s', script, '--', ...args], env);
}
