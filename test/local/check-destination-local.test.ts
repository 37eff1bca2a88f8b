import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killStarted, startLocalCollector, waitForBanner } from '../support/npm-start';
import { useTestKinesis } from '../support/test-collector';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** This environment without any AWS credentials or profile the SDK could find. */
function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs a command line as a shell would, and returns its exit code and output. */
async function paste(line: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('sh', ['-c', line], { cwd: ROOT, env: withoutAwsCredentials() });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

/**
 * `npm run check-destination` as the banner prints it, against the local collector's entry
 * (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts) writing to an in-process
 * kinesalite through KINESIS_ENDPOINT.
 */
describe('npm run check-destination against local mode', () => {
  const sharedKinesis = useTestKinesis();

  it("works with the banner's line and no AWS credentials, and names the step, meaning and fix when STS is switched to deny", async () => {
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      STREAM_NAME: 'checked',
      EXTERNAL_ID: 'check-ext-4321',
    });
    try {
      const { faultsUrl } = await waitForBanner(started);
      const line = /^ {2}(npm run -s check-destination -- .*)$/m.exec(started.output())?.[1] as string;
      expect(line).toMatch(
        /--stream checked --region us-east-1 --endpoint http:\/\/127\.0\.0\.1:\d+ --role-arn arn:aws:iam::000000000000:role\/\S+ --external-id check-ext-4321 --sts-endpoint http:\/\/127\.0\.0\.1:\d+$/,
      );

      const ok = await paste(line);
      expect(ok.output).toMatch(
        /ok {6}assume arn:aws:iam::000000000000:role\/\S+ with external ID \*\*\*\*4321/,
      );
      expect(ok.output).toMatch(/OK: the collector can write to "check"/);
      expect(ok.code).toBe(0);

      await fetch(faultsUrl, { method: 'POST', body: '{"sts":"deny"}' });
      const denied = await paste(line);
      expect(denied.code).toBe(1);
      expect(denied.output).toMatch(/FAILED {2}assume .*: AccessDenied: /);
      expect(denied.output).toMatch(/means: STS refused/);
      expect(denied.output).toMatch(/fix: {3}set the destination's externalId/);
      expect(denied.output).toContain('FAILED at step "credentials"');
    } finally {
      await killStarted(started);
    }
  }, 120_000);

  it('gives every failing step a meaning and a fix, the credentials step without credentials included', async () => {
    const missing = await paste(
      'npm run -s check-destination -- --stream s --region us-east-1 --role-arn arn:aws:iam::111111111111:role/writer --external-id ext-1234 --sts-endpoint https://sts.example.invalid',
    );
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/FAILED {2}assume .*: CredentialsProviderError: /);
    expect(missing.output).toMatch(/means: no AWS credentials were found to sign the AssumeRole call/);
    expect(missing.output).toMatch(/fix: {3}run with AWS credentials .*paste the line npm start prints/);

    const unreachable = await paste(
      'npm run -s check-destination -- --stream s --region us-east-1 --endpoint http://127.0.0.1:9',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toMatch(/FAILED {2}put one test record/);
    expect(unreachable.output).toMatch(/means: http:\/\/127\.0\.0\.1:9 did not take the test record/);
    expect(unreachable.output).toMatch(/fix: {3}check that http:\/\/127\.0\.0\.1:9 is reachable/);
  }, 60_000);
});
