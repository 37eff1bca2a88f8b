import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a finished npm script left: its exit code and its stdout and stderr, interleaved. */
export interface NpmScriptRun {
  readonly code: number | null;
  readonly output: string;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `npm run -s <script> -- ...args` in the repo root with `env` added to this process's
 * environment, and resolves when it exits.
 */
export function runNpmScript(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<NpmScriptRun> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], {
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
    child.on('exit', (code) => resolve({ code, output }));
  });
}
