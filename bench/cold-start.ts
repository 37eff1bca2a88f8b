import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { ESBUILD_SETTINGS } from '../lib/constructs/collector-function';
import { type Summary, summarise } from './stats';

/** Where bundles and generated scripts go (git-ignored, Biome-ignored). */
export const WORK_DIR = resolve(__dirname, '..', '.bench');
const ROOT = resolve(__dirname, '..');
const ENTRY = join(ROOT, 'lambda', 'index.ts');

export interface BundleVariant {
  readonly id: string;
  readonly external: readonly string[];
}

/**
 * lib/constructs/collector-function.ts bundles with `externalModules: []` (everything bundled into
 * `index.js` but the lazily loaded modules, which lambda/lazy/load-lazy-module.ts requires by a
 * computed path that esbuild leaves alone); without that line, aws-cdk-lib would make `@aws-sdk/*`
 * and, with the `sdkV3ExcludeSmithyPackages` flag this app sets in cdk.json, `@smithy/*` external too.
 */
export const BUNDLE_VARIANTS: readonly BundleVariant[] = [
  /** As deployed. */
  { id: 'all-bundled', external: [] },
  /** The SDK from the runtime. */
  { id: 'aws-sdk-external', external: ['@aws-sdk/*'] },
  /** CDK's default with this app's feature flags. */
  { id: 'aws-sdk-smithy-external', external: ['@aws-sdk/*', '@smithy/*'] },
];

export interface BundleResult {
  readonly variant: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Output bytes by npm package (or `lambda/` for our own code), largest first. */
  readonly topInputs: readonly { readonly name: string; readonly bytes: number }[];
  readonly path: string;
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1] as string;
  return input.split('/')[0] ?? input;
}

/** The construct's esbuild settings (lib/constructs/collector-function.ts) as esbuild API options. */
export function collectorBuildOptions(): BuildOptions {
  return {
    minify: ESBUILD_SETTINGS.minify,
    sourcemap: ESBUILD_SETTINGS.sourceMap,
    sourcesContent: ESBUILD_SETTINGS.sourcesContent,
    keepNames: ESBUILD_SETTINGS.keepNames,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    supported: { ...ESBUILD_SETTINGS.supported },
    alias: Object.fromEntries(
      Object.entries(ESBUILD_SETTINGS.alias).map(([module, file]) => [module, join(ROOT, file)]),
    ),
  };
}

/**
 * Bundles lambda/index.ts the way NodejsFunction does for this construct (aws-cdk-lib
 * aws-lambda-nodejs Bundling: `--bundle --target=node24 --platform=node` and the construct's {@link ESBUILD_SETTINGS},
 * CommonJS `index.js`, the variant's `--external:` list).
 */
export async function bundle(variant: BundleVariant): Promise<BundleResult> {
  const outfile = join(WORK_DIR, 'bundles', variant.id, 'index.js');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    target: 'node24',
    platform: 'node',
    outfile,
    ...collectorBuildOptions(),
    external: [...variant.external],
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values((result.metafile as Metafile).outputs).find((entry) => entry.entryPoint);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  const topInputs = [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
  return {
    variant: variant.id,
    bytes: statSync(outfile).size,
    sourceMapBytes: statSync(`${outfile}.map`).size,
    topInputs,
    path: outfile,
  };
}

/** The deployed function's environment (config as the construct renders it), offline. */
export function deployedEnv(): Record<string, string> {
  return {
    COLLECTOR_CONFIG: JSON.stringify({
      sources: [{ id: 'web', destinations: ['analytics'], partitionKey: 'user' }],
      destinations: [
        {
          id: 'analytics',
          streamName: 'events',
          region: 'eu-west-1',
          roleArn: 'arn:aws:iam::123456789012:role/stream-writer',
          externalId: 'bench-external-id',
        },
      ],
      cors: { allowedOrigins: ['*'], maxAgeSeconds: 7200 },
    }),
    WRITE_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:write-keys-AbCdEf',
    POWERTOOLS_SERVICE_NAME: 'kinesis-event-forwarder',
    AWS_REGION: 'eu-west-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A script that loads `argv[2]` (or nothing) and prints how long `require` took, in ms. */
function writeLoader(): string {
  const loader = join(WORK_DIR, 'load-bundle.js');
  writeFileSync(
    loader,
    [
      "const { performance } = require('node:perf_hooks');",
      'const start = performance.now();',
      'if (process.argv[2]) require(process.argv[2]);',
      'process.stdout.write(JSON.stringify({ requireMs: performance.now() - start }));',
    ].join('\n'),
  );
  return loader;
}

export interface LoadTiming {
  readonly case: string;
  /** Process start to exit, as the parent sees it. */
  readonly wallMs: Summary;
  /** The `require` of the bundle alone, inside the process. */
  readonly requireMs: Summary;
}

/**
 * The name of one load-time case: the empty process (`variant` undefined) or a bundle variant with
 * or without `--enable-source-maps`. The report looks timings up by this name.
 */
export function loadCase(variant: string | undefined, sourceMaps: boolean): string {
  if (variant === undefined) return 'empty node process';
  return sourceMaps
    ? `${variant} + --enable-source-maps`
    : `${variant}, without --enable-source-maps (as deployed)`;
}

/**
 * Times `runs` fresh `node` processes per case, interleaved so drift hits every case alike:
 * an empty process, each bundle with `--enable-source-maps` (which the deployed function leaves
 * out: lib/constructs/collector-function.ts), and the first bundle without it, as deployed.
 */
export function timeLoads(bundles: readonly BundleResult[], runs: number): LoadTiming[] {
  mkdirSync(WORK_DIR, { recursive: true });
  const loader = writeLoader();
  const cases = [
    { case: loadCase(undefined, false), args: [loader] },
    ...bundles.map((result) => ({
      case: loadCase(result.variant, true),
      args: ['--enable-source-maps', loader, result.path],
    })),
    ...bundles.slice(0, 1).map((result) => ({
      case: loadCase(result.variant, false),
      args: [loader, result.path],
    })),
  ];
  const wall = new Map<string, number[]>(cases.map((entry) => [entry.case, []]));
  const required = new Map<string, number[]>(cases.map((entry) => [entry.case, []]));
  const env = { PATH: process.env.PATH ?? '', ...deployedEnv() };
  for (let run = 0; run < runs + 1; run++) {
    for (const entry of cases) {
      const start = performance.now();
      const child = spawnSync(process.execPath, entry.args, { env, encoding: 'utf8' });
      const wallMs = performance.now() - start;
      if (child.status !== 0) throw new Error(`${entry.case} failed: ${child.stderr}`);
      if (run === 0) continue;
      wall.get(entry.case)?.push(wallMs);
      required.get(entry.case)?.push((JSON.parse(child.stdout) as { requireMs: number }).requireMs);
    }
  }
  return cases.map((entry) => ({
    case: entry.case,
    wallMs: summarise(wall.get(entry.case) ?? []),
    requireMs: summarise(required.get(entry.case) ?? []),
  }));
}
