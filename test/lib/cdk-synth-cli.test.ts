import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { cliSynth, SHARED_CLI_EXTERNAL_ID } from '../support/cli-synth';
import { PROJECT_ROOT } from './support/test-app';

describe('cdk synth, the real CLI (offline)', () => {
  it('synthesizes both stacks with only an external ID, bundles the Lambda and passes cdk-nag', async () => {
    // Act: no AWS credentials, no version check, no telemetry or notices (cdk.json); the run's one
    // CLI synth of this topology, shared with test/deployed/deployed-bundle.test.ts.
    const result = await cliSynth({ externalIds: SHARED_CLI_EXTERNAL_ID });
    const synthDir = result.outdir;

    // Assess
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(existsSync(path.join(synthDir, 'KinesisEventForwarder-Stream.template.json'))).toBe(true);
    expect(existsSync(path.join(synthDir, 'KinesisEventForwarder-Collector.template.json'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(synthDir, 'validation-report.json'), 'utf8'));
    // No cdk-nag finding and no warning: the default synth reports nothing.
    const findings = (
      report.pluginReports as { pluginName: string; violations: { ruleName: string; severity: string }[] }[]
    ).flatMap((plugin) =>
      plugin.violations.map((violation) => [plugin.pluginName, violation.ruleName, violation.severity]),
    );
    expect(findings).toEqual([]);
    const bundles = readdirSync(synthDir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => path.join(synthDir, name, 'index.js'))
      .filter((file) => existsSync(file));
    // The collector's bundle and the write-keys provisioner's (the runtime's AWS SDK, a few KB).
    const sizes = bundles.map((file) => statSync(file).size).sort((a, b) => a - b);
    expect(sizes).toHaveLength(2);
    expect(sizes[0]).toBeLessThan(16 * 1024);
    expect(sizes[1]).toBeLessThan(3 * 1024 * 1024);
  }, 240_000);

  it('synthesizes examples/deploy.json as it is (the document npm start runs), ships it in the asset and passes cdk-nag', async () => {
    // Act: the docs' command (docs/deploying.md). aws-cdk-lib's CloudFormation schema validation runs
    // on the default synth above (its report checked there); this template has the same resource
    // types and properties, other values (the API's CORS, the function's environment, the
    // provisioner's source ids), so it runs without it (~11 s of CPU less per run: the suite's budget).
    const result = await cliSynth(
      { externalIds: 'cli-test-external-id', collectorConfig: 'examples/deploy.json' },
      undefined,
      { validate: false },
    );
    const out = result.outdir;

    // Assess
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const report = JSON.parse(readFileSync(path.join(out, 'validation-report.json'), 'utf8'));
    const findings = (
      report.pluginReports as { pluginName: string; violations: { ruleName: string }[] }[]
    ).flatMap((plugin) => plugin.violations.map((violation) => violation.ruleName));
    expect(findings).toEqual([]);
    const shipped = readdirSync(out)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => path.join(out, name, 'collector-config.json'))
      .filter((file) => existsSync(file));
    expect(shipped).toHaveLength(1);
    expect(JSON.parse(readFileSync(shipped[0] as string, 'utf8'))).toEqual(
      JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', 'deploy.json'), 'utf8')),
    );
  }, 300_000);

  it('fails synth for 60 UUID external IDs with a message naming externalIds', async () => {
    // Act: the data owner's side only (no Lambda to bundle). The error is the writer role's own
    // annotation, reported by the CLI as every synth error is; aws-cdk-lib's CloudFormation schema
    // validation (~10 s of CPU: its WASM engine) is off, as it adds nothing to this failure: the
    // default synth above runs it, and the same run with it printed the same lines. The CLI as
    // node_modules/.bin/cdk (the same pinned CLI npx resolves, ~1.3 s of CPU less): this run's
    // subject is what the CLI reports, not the documented command the two runs above are.
    const externalIds = Array.from({ length: 60 }, () => randomUUID()).join(',');
    const result = await cliSynth({ collectorAccountId: '111111111111', externalIds }, undefined, {
      validate: false,
      npx: false,
    });

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(
      /externalIds: 60 external IDs make the writer role's trust policy \d+ characters long; IAM accepts at most 2048/,
    );
  }, 300_000);
});
