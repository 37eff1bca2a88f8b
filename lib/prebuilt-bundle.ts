import { chmodSync, copyFileSync, cpSync, existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The Lambda bundles `npm pack` ships (built by its `prepack` script, tools/package/), so an app
 * that installs the package synthesizes without esbuild or Docker. Compiled, this module is
 * `dist/lib/prebuilt-bundle.js` and the bundles are `dist/bundles/<name>/`; run from the sources
 * (this repository: `npm start`, `cdk synth`, the tests) that directory does not exist and the
 * functions are bundled from source by `NodejsFunction`, as before.
 */
export const PREBUILT_BUNDLES_DIR = path.join(__dirname, '..', 'bundles');

/** The functions whose code is prebuilt: the collector and the write-keys provisioner. */
export type PrebuiltBundleName = 'collector' | 'write-keys-provisioner';

/** The prebuilt bundle's directory (its `index.js` exports `handler`), or `undefined` when not built. */
export function prebuiltBundleDir(name: PrebuiltBundleName, root = PREBUILT_BUNDLES_DIR): string | undefined {
  const dir = path.join(root, name);
  return existsSync(path.join(dir, 'index.js')) ? dir : undefined;
}

/** Files a function adds to a prebuilt bundle's asset at synth: name in the asset -> contents. */
export interface PrebuiltAssetExtras {
  /** Files copied with mode 755 (an exec wrapper: an unpacked tarball need not keep the mode). */
  readonly executables?: readonly string[];
  /** Files written next to `index.js` (a configuration document). */
  readonly files?: Readonly<Record<string, string>>;
  /** Files copied next to `index.js` from where they are installed: name in the asset -> source path. */
  readonly copies?: Readonly<Record<string, string>>;
}

/**
 * Lambda code from a prebuilt bundle: the bundle copied into the asset by a local step (no Docker,
 * no esbuild), `extras.copies` copied in, executables made executable, `extras.files` written next
 * to `index.js`. The asset hash is the output's, so a different document gives a different asset.
 */
export function prebuiltCode(dir: string, extras: PrebuiltAssetExtras = {}): lambda.Code {
  return lambda.Code.fromAsset(dir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local step below always succeeds.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:latest'),
      local: {
        tryBundle(outputDir: string): boolean {
          cpSync(dir, outputDir, { recursive: true });
          for (const [file, source] of Object.entries(extras.copies ?? {})) {
            copyFileSync(source, path.join(outputDir, file));
          }
          for (const file of extras.executables ?? []) chmodSync(path.join(outputDir, file), 0o755);
          for (const [file, contents] of Object.entries(extras.files ?? {})) {
            writeFileSync(path.join(outputDir, file), contents);
          }
          return true;
        },
      },
    },
  });
}
