/**
 * Builds the Lambda bundles the package ships (`npm pack` runs it from `prepack`): the collector's
 * code asset (index.js, the lazy modules, the exec wrapper, the country database) and the
 * write-keys provisioner's, each into `<outDir>/<name>/`, with the very commands and esbuild
 * settings `NodejsFunction` uses when this repository synthesizes (lib/constructs/). The compiled
 * constructs find them there (lib/prebuilt-bundle.ts), so an app that installs the package needs
 * neither esbuild nor Docker.
 *
 * Usage: `tsx tools/package/build-lambda-bundles.ts [outDir]` from the project root (default
 * `dist/bundles`).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { collectorBundleCommands } from '../../lib/constructs/collector-function';
import { provisionerBundleCommand } from '../../lib/constructs/write-keys-secret';
import type { PrebuiltBundleName } from '../../lib/prebuilt-bundle';

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const outDir = process.argv[2] ?? path.posix.join('dist', 'bundles');

const commands: Record<PrebuiltBundleName, (outputDir: string) => string[]> = {
  collector: (outputDir) => collectorBundleCommands('.', outputDir),
  'write-keys-provisioner': (outputDir) => [provisionerBundleCommand('.', outputDir)],
};

rmSync(path.resolve(PROJECT_ROOT, outDir), { recursive: true, force: true });
for (const [name, build] of Object.entries(commands)) {
  const outputDir = path.posix.join(outDir, name);
  mkdirSync(path.resolve(PROJECT_ROOT, outputDir), { recursive: true });
  for (const command of build(outputDir)) execSync(command, { cwd: PROJECT_ROOT, stdio: 'inherit' });
}
