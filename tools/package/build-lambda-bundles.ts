/**
 * Builds the Lambda bundles the package ships (`npm pack` runs it from `prepack`): the collector's
 * code asset (index.js, the lazy modules, the exec wrapper; the country database is a dependency of
 * the package, copied in at the consumer's synth) and the write-keys provisioner's, each into `<outDir>/<name>/`, with the very commands and esbuild
 * settings `NodejsFunction` uses when this repository synthesizes (lib/constructs/; they start the
 * project's esbuild binary directly, without `npx`). The compiled
 * constructs find them there (lib/prebuilt-bundle.ts), so an app that installs the package needs
 * neither esbuild nor Docker.
 *
 * Usage: `tsx tools/package/build-lambda-bundles.ts [outDir]` from the project root (default
 * `dist/bundles`), or {@link buildLambdaBundles} (tools/package/build-library.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { collectorBundleCommands } from '../../lib/constructs/collector-function';
import { provisionerBundleCommand } from '../../lib/constructs/write-keys-secret';
import type { PrebuiltBundleName } from '../../lib/prebuilt-bundle';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

const commands: Record<PrebuiltBundleName, (outputDir: string) => string[]> = {
  collector: (outputDir) => collectorBundleCommands('.', outputDir),
  'write-keys-provisioner': (outputDir) => [provisionerBundleCommand('.', outputDir)],
};

function runShell(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`exit ${code ?? signal}: ${command}`)),
    );
  });
}

/**
 * Builds every bundle into `<outDir>/<name>/` (outDir relative to the project root; emptied
 * first). Every command writes its own files into a directory that exists before it starts, so all
 * run at once. Rejects with the failing command when one fails.
 */
export async function buildLambdaBundles(outDir: string = path.posix.join('dist', 'bundles')): Promise<void> {
  rmSync(path.resolve(PROJECT_ROOT, outDir), { recursive: true, force: true });
  const all = Object.entries(commands).flatMap(([name, build]) => {
    const outputDir = path.posix.join(outDir, name);
    mkdirSync(path.resolve(PROJECT_ROOT, outputDir), { recursive: true });
    return build(outputDir);
  });
  const results = await Promise.allSettled(all.map(runShell));
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failed.length > 0) throw new Error('building the Lambda bundles failed', { cause: failed });
}

if (require.main === module) {
  buildLambdaBundles(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
