/**
 * `npm run build:library` (and `prepack`): dist/ from scratch, the compiled constructs
 * (`tsc -p tsconfig.build.json`: JavaScript and `.d.ts`) and the prebuilt Lambda bundles
 * (build-lambda-bundles.ts, in this process), built side by side, as neither needs the other.
 * Exits non-zero when either fails.
 *
 * The compile is the largest cost of the packing test (test/lib/package.test.ts runs `npm pack` on
 * every `npm test`). tsconfig.build.json resolves `aws-cdk-lib` to its `core` entry point: the
 * package root re-exports `core` and adds one namespace per service module, and lib/ imports only
 * `core` names from the root (its services from their own entry points), so tsc reads ~40% of
 * aws-cdk-lib's declarations instead of all of them (~6 s less CPU). The output is byte for byte
 * the same: the imports keep their `'aws-cdk-lib'` specifier. A service namespace imported from the
 * root (`aws_s3`) is not in `core`: import it from its module (`aws-cdk-lib/aws-s3`).
 *
 * tsconfig.build.json sets `noCheck`: tsc emits the JavaScript and the declarations without type
 * checking the program again (~4 s of CPU less). Type checking the same files is `npm run typecheck`'s
 * job (`tsc --noEmit` over the whole project, strict; `npm test` runs it first), and a syntax error
 * still fails this build. The declarations are the same types, a union's members at most listed in
 * another order. Without the check, a root import of a namespace would not fail this build (its
 * inferred types would be emitted as `any`), so test/lib/library-build-imports.test.ts fails on one.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildLambdaBundles } from './build-lambda-bundles';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

function compile(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: PROJECT_ROOT,
        stdio: 'inherit',
      },
    );
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`tsc -p tsconfig.build.json: exit ${code ?? signal}`)),
    );
  });
}

async function main(): Promise<void> {
  rmSync(path.join(PROJECT_ROOT, 'dist'), { recursive: true, force: true });
  const results = await Promise.allSettled([
    compile(),
    buildLambdaBundles(path.posix.join('dist', 'bundles')),
  ]);
  for (const result of results) {
    if (result.status === 'rejected') {
      console.error(result.reason);
      process.exitCode = 1;
    }
  }
}

void main();
