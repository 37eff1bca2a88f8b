import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { oncePerRun } from './once-per-run';

const PROJECT_ROOT = join(__dirname, '..', '..');

/** Longest a `npx cdk synth` (bundling included) may take before it counts as failed. */
const CLI_SYNTH_TIMEOUT_MS = 240_000;

/**
 * The external ID of the same-account topology that the CLI synth tests share (the deployed bundle
 * runs its asset; the CLI test checks the cloud assembly): one `npx cdk synth` for both per run.
 */
export const SHARED_CLI_EXTERNAL_ID = 'ext-deployed-bundle-4417';

/** What one `npx cdk synth -c ... -o <outdir> -q` printed and left behind. */
export interface CliSynth {
  /** The cloud assembly directory (templates, bundled assets, validation-report.json). */
  readonly outdir: string;
  /** The exit status (null when it was killed, e.g. by the timeout). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How a {@link cliSynth} runs. */
export interface CliSynthOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation schema validation (its WASM engine: ~6 s of CPU per
   * synth) as a deploy does; `false` sets `CDK_VALIDATION=false`. @default true
   */
  readonly validate?: boolean;
  /**
   * Start the CLI as the docs do, `npx cdk`; `false` starts the same pinned CLI as
   * `node_modules/.bin/cdk`, without npx's own start-up (~1.3 s of CPU): for a run whose subject is
   * what the CLI reports, not the documented command. @default true
   */
  readonly npx?: boolean;
}

/** The pinned CLI, started without npx (what `npx cdk` resolves to in this project). */
const CDK_CLI_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/**
 * The environment of a CLI synth: no AWS credentials, no version check (telemetry and notices are
 * off in cdk.json); `validate: false` sets `CDK_VALIDATION=false`.
 */
function cliSynthEnv(validate: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(validate ? {} : { CDK_VALIDATION: 'false' }),
  };
}

function keyOf(context: Record<string, string>): string {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 24);
}

function run(
  context: Record<string, string>,
  outdir: string,
  validate: boolean,
  npx: boolean,
): Promise<Omit<CliSynth, 'outdir'>> {
  const flags = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const [command, ...launch] = npx ? ['npx', 'cdk'] : [CDK_CLI_BIN];
  return new Promise((resolve) => {
    execFile(
      command as string,
      [...launch, 'synth', ...flags, '-o', outdir, '-q'],
      {
        cwd: PROJECT_ROOT,
        timeout: CLI_SYNTH_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        env: cliSynthEnv(validate),
      },
      (error, stdout, stderr) => {
        const code = (error as (Error & { code?: unknown }) | null)?.code;
        resolve({ status: error === null ? 0 : typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/**
 * `npx cdk synth` with `context` as CI and a deploy run it (the pinned CLI, cdk.json's app and
 * context, esbuild bundling, cdk-nag; `options.npx: false` starts the same CLI without npx), once
 * per context and options per jest run (test/support/once-per-run.ts):
 * the first test file asking runs it, a file asking meanwhile in another worker waits for that run,
 * later ones read its result. The cloud assembly is shared: read it, do not write into it. `dir`
 * (the caller's, e.g. a benchmark's work directory) wins; outside jest's global setup and without
 * `dir`, each call synthesizes into a new temporary directory.
 */
export function cliSynth(
  context: Record<string, string>,
  dir?: string,
  options: CliSynthOptions = {},
): Promise<CliSynth> {
  const validate = options.validate ?? true;
  const npx = options.npx ?? true;
  return oncePerRun(
    `cli-synth-${keyOf(context)}${validate ? '' : '-unvalidated'}${npx ? '' : '-bin'}`,
    async (outdir) => ({ outdir, ...(await run(context, outdir, validate, npx)) }),
    { waitMs: CLI_SYNTH_TIMEOUT_MS + 30_000, ...(dir === undefined ? {} : { dir }) },
  );
}
