import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cliSynth, SHARED_CLI_EXTERNAL_ID } from '../support/cli-synth';
import { cdkJsonContext, PROJECT_ROOT } from './support/test-app';

/**
 * Runs bin/app.ts as `cdk synth` does (cdk.json's app command, `node --import tsx bin/app.ts`;
 * context in CDK_CONTEXT_JSON, the cloud assembly in CDK_OUTDIR), without bundling the Lambda and
 * without aws-cdk-lib's CloudFormation schema validation (its WASM engine costs seconds, and these
 * tests read only the app's own messages; test/lib/cdk-synth-cli.test.ts runs it). One Node process:
 * the `tsx` command would start a second one (~0.8 s of CPU more). `files`: what the app wrote into
 * its cloud assembly directory.
 */
function synthApp(context: Record<string, string>, env: Record<string, string> = {}) {
  const outDir = mkdtempSync(path.join(tmpdir(), 'app-context-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CDK_OUTDIR: outDir,
        CDK_VALIDATION: 'false',
        CDK_CONTEXT_JSON: JSON.stringify({
          ...cdkJsonContext(),
          'aws:cdk:bundling-stacks': [],
          ...context,
        }),
        ...env,
      },
    });
    return { ...result, files: readdirSync(outDir) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** What a synth printed, line by line, without blank lines. */
const printedLines = (result: { stdout: string; stderr: string }) =>
  `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim() !== '');

/** The data owner's side only (the stream stack): no Lambda to bundle, so a CLI synth is quick. */
const STREAM_ONLY = { collectorAccountId: '111111111111', externalIds: 'context-check-id' };

describe('cdk synth: context keys and warnings (the real CLI)', () => {
  it('prints no warning for the default synth: no concurrency warning, no cdk-nag finding, no unknown key', async () => {
    // Act: the run's shared bundling synth of the same-account topology (test/lib/cdk-synth-cli.test.ts).
    const result = await cliSynth({ externalIds: SHARED_CLI_EXTERNAL_ID });

    // Assess
    expect(result.status).toBe(0);
    expect(printedLines(result).filter((line) => /warn|acknowledge|AwsSolutions|error/i.test(line))).toEqual(
      [],
    );
  }, 300_000);

  it('fails the synth on a misspelled context key, naming the key it meant', async () => {
    // Act: the CLI as node_modules/.bin/cdk, without npx (this run's subject is what the CLI prints).
    const result = await cliSynth({ ...STREAM_ONLY, domainname: 'events.example.com' }, undefined, {
      npx: false,
    });

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'Error: the context key "domainname" is not one this app reads; did you mean "domainName"?',
    );
    expect(result.stderr).toContain('pass -c allowUnknownContext=true to ignore keys this app does not read');
    // Only the misspelled key: none of the keys the CLI adds itself is reported.
    expect(printedLines(result).filter((line) => line.includes('context key'))).toEqual([
      'Error: the context key "domainname" is not one this app reads; did you mean "domainName"? (every key: docs/deploying.md#context-keys)',
    ]);
    expect(existsSync(path.join(result.outdir, 'manifest.json'))).toBe(false);
  }, 300_000);
});

describe('bin/app.ts context checks', () => {
  it('lets a misspelled key through with a warning when allowUnknownContext=true', () => {
    // Act: the app's own check (the CLI run above shows the CLI prints what the app prints).
    const result = synthApp({
      ...STREAM_ONLY,
      domainname: 'events.example.com',
      allowUnknownContext: 'true',
    });

    // Assess
    expect(result.status).toBe(0);
    expect(printedLines(result).filter((line) => line.includes('context key'))).toEqual([
      'Warning: the context key "domainname" is not one this app reads; did you mean "domainName"? (every key: docs/deploying.md#context-keys); it is ignored (allowUnknownContext=true).',
    ]);
    expect(result.files).toContain('KinesisEventForwarder-Stream.template.json');
  }, 120_000);

  it('refuses a certificate from another region than the one the CLI deploys to', () => {
    const result = synthApp(
      {
        externalIds: 'region-test-id',
        domainName: 'events.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      },
      { CDK_DEFAULT_REGION: 'eu-west-1' },
    );

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'certificateArn: the certificate is in us-east-1, but the collector deploys to eu-west-1',
    );
  }, 120_000);

  it('acknowledges the concurrency warning of a reserved concurrency for -c acknowledgeWarnings=concurrency', () => {
    const result = synthApp({
      externalIds: 'ack-test-id',
      reservedConcurrency: '100',
      acknowledgeWarnings: 'concurrency',
    });

    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('throttlingRateLimit');
  }, 120_000);
});
