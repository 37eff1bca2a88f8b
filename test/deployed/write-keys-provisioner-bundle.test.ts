import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { PROVISIONER_BUNDLING, WRITE_KEYS_PROVISIONER_ENTRY } from '../../lib/constructs/write-keys-secret';
import { PROJECT_ROOT } from '../lib/support/test-app';
import { startTestResponseUrl, type TestResponseUrl } from '../support/cloudformation-response-url';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager-server';

const run = promisify(execFile);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:WriteKeys-AbCdEf';

/**
 * The write-keys provisioner as Lambda runs it: its entry point bundled with the construct's esbuild
 * settings, loaded by a separate Node process whose AWS SDK is found outside the bundle (as the
 * runtime provides it), with Secrets Manager at the local stand-in (`AWS_ENDPOINT_URL_SECRETS_MANAGER`)
 * and CloudFormation's response URL on loopback.
 */
describe('the bundled write-keys provisioner', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'provisioner-bundle-'));
  const bundle = join(outdir, 'index.js');
  let secrets: TestSecretsManager;
  let cloudFormation: TestResponseUrl;

  beforeAll(async () => {
    buildSync({
      entryPoints: [WRITE_KEYS_PROVISIONER_ENTRY],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node24',
      minify: PROVISIONER_BUNDLING.minify,
      external: [...PROVISIONER_BUNDLING.externalModules],
      logLevel: 'warning',
    });
    [secrets, cloudFormation] = await Promise.all([startTestSecretsManager(), startTestResponseUrl()]);
  });
  afterAll(async () => {
    rmSync(outdir, { recursive: true, force: true });
    await Promise.all([secrets?.stop(), cloudFormation?.stop()]);
  });

  it('stays a few KB without the AWS SDK', () => {
    expect(statSync(bundle).size).toBeLessThan(16 * 1024);
  });

  it('adds a generated key for a new source on Update and answers CloudFormation', async () => {
    // Prepare
    secrets.put(SECRET_ARN, JSON.stringify({ default: ['wk_rotated_in'] }));
    const event = {
      RequestType: 'Update',
      ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provisioner',
      ResponseURL: cloudFormation.url,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Collector/abc',
      RequestId: 'request-1',
      LogicalResourceId: 'WriteKeysProvisioned',
      PhysicalResourceId: `WriteKeysProvisioned:${SECRET_ARN}`,
      ResourceType: 'Custom::WriteKeys',
      ResourceProperties: { ServiceToken: 'token', SecretId: SECRET_ARN, SourceIds: ['default', 'web-shop'] },
      OldResourceProperties: { ServiceToken: 'token', SecretId: SECRET_ARN, SourceIds: ['default'] },
    };
    const script = `require(${JSON.stringify(bundle)}).handler(JSON.parse(process.env.EVENT), { getRemainingTimeInMillis: () => 55000 })`;

    // Act
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: outdir,
      timeout: 20_000,
      env: {
        PATH: process.env.PATH,
        NODE_PATH: join(PROJECT_ROOT, 'node_modules'),
        EVENT: JSON.stringify(event),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      },
    });

    // Assess
    const stored = JSON.parse(secrets.valueOf(SECRET_ARN) ?? '{}');
    expect(stored).toEqual({
      default: ['wk_rotated_in'],
      'web-shop': expect.stringMatching(/^[A-Za-z0-9]{40}$/),
    });
    expect(cloudFormation.responses.map((response) => response.body)).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', Data: { AddedSourceIds: 'web-shop' } }),
    ]);
    expect(stdout).toContain('"addedSourceIds":["web-shop"]');
    expect(stdout).not.toContain(stored['web-shop']);
  });
});
