/**
 * `npm run build:library` (and `prepack`): dist/ from scratch, the compiled constructs
 * (tsconfig.build.json: JavaScript and `.d.ts`) and the prebuilt Lambda bundles
 * (build-lambda-bundles.ts) built side by side, as neither needs the other. Exits non-zero when
 * either fails.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  rmSync(path.join(PROJECT_ROOT, 'dist'), { recursive: true, force: true });
  const codes = await Promise.all([
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']),
    run(process.execPath, [
      require.resolve('tsx/cli'),
      path.join('tools', 'package', 'build-lambda-bundles.ts'),
      path.posix.join('dist', 'bundles'),
    ]),
  ]);
  if (codes.some((code) => code !== 0)) process.exitCode = 1;
}

void main();
