import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cdkJsonContext, PROJECT_ROOT } from './support/test-app';

/**
 * Runs bin/app.ts as `cdk synth` does (context in CDK_CONTEXT_JSON), without bundling the Lambda and
 * without aws-cdk-lib's CloudFormation schema validation (its WASM engine costs seconds, and these
 * tests read only the app's own messages; test/lib/cdk-synth-cli.test.ts runs it). tsx from
 * node_modules/.bin, as `npx tsx` would find it, without npx's own start-up.
 */
function synthApp(context: Record<string, string>, env: Record<string, string> = {}) {
  const outDir = mkdtempSync(path.join(tmpdir(), 'app-context-'));
  try {
    return spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
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
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

describe('bin/app.ts context checks', () => {
  it("warns about a context key it does not read, naming the closest one, and leaves the CDK's own keys alone", () => {
    const result = synthApp({ externalIds: 'warn-test-id', domainname: 'events.example.com' });

    expect(result.status).toBe(0);
    const contextWarnings = result.stderr.split('\n').filter((line) => line.includes('context key'));
    expect(contextWarnings).toEqual([
      'Warning: the context key "domainname" is not one this app reads, so it is ignored; did you mean "domainName"? (every key: docs/deploying.md#context-keys)',
    ]);
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
});
