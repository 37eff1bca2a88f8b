import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorClient, emulatorCredentials, LOCAL_CALLER_CREDENTIALS } from '../../local/local-mode';
import { type LocalSts, startLocalSts } from '../../local/local-sts';
import { ensureStream } from '../../local/streams';
import { CHECK_PARTITION_KEY, checkDestination } from '../../tools/check/check-destination';
import { writerRoleTrusting } from '../support/assume-role-collector';
import { bundledEntry } from '../support/bundled-entry';
import { type NpmScriptRun, runNpmScript, runToEnd } from '../support/run-npm-script';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

const TRUSTED = 'check-external-id-7731';

const CALLER_KEYS = {
  AWS_ACCESS_KEY_ID: LOCAL_CALLER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CALLER_CREDENTIALS.secretAccessKey,
};

/**
 * Runs the command with the local caller's keys; its exit code and output (stdout and stderr):
 * `npm run -s check-destination -- ...args` (`'npm'`), or bin/check-destination.ts's esbuild bundle
 * as one Node process (test/support/bundled-entry.ts: the same code without npm's and tsx's ~1 s of
 * CPU at start).
 */
function runCheck(args: string[], how: 'npm' | { readonly bundle: string }): Promise<NpmScriptRun> {
  if (how === 'npm') return runNpmScript('check-destination', args, CALLER_KEYS);
  return runToEnd(process.execPath, [how.bundle, ...args], CALLER_KEYS);
}

describe('npm run check-destination, the test connection of a destination', () => {
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let client: KinesisClient;
  let sts: LocalSts;
  const role = writerRoleTrusting([TRUSTED]);
  /** The command as one Node process (the npm script itself: the first test). */
  let check: { readonly bundle: string };

  beforeAll(async () => {
    check = { bundle: await bundledEntry('bin/check-destination.ts') };
    kinesis = await startTestKinesis();
    client = emulatorClient(kinesis.endpoint, 'us-east-1');
    await ensureStream(client, 'checked', 1);
    sts = await startLocalSts({ role });
  });
  afterAll(async () => {
    await sts.stop();
    client.destroy();
    await kinesis.stop();
  });

  const flags = (externalId: string, stream = 'checked') => [
    '--stream',
    stream,
    '--region',
    'us-east-1',
    '--role-arn',
    role.roleArn,
    '--external-id',
    externalId,
    '--endpoint',
    kinesis.endpoint,
    '--sts-endpoint',
    sts.endpoint,
  ];

  it('assumes the writer role with the external ID and puts one marked test record', async () => {
    const { code, output } = await runCheck(flags(TRUSTED), 'npm');

    expect(code).toBe(0);
    expect(output).toMatch(
      /ok {6}assume arn:aws:iam::000000000000:role\/\S+ with external ID \*\*\*\*7731: session /,
    );
    expect(output).toMatch(
      /ok {6}put one test record into stream "checked" in us-east-1: shard shardId-\d+, sequence number \d+/,
    );
    const records = await readAllRecords(client, 'checked');
    expect(records.map((record) => [record.partitionKey, record.json.type])).toEqual([
      [CHECK_PARTITION_KEY, 'check'],
    ]);
    expect(output).toContain(String(records[0]?.json.event_id));
  });

  it('names the failing step, what it means and what to change when the role does not trust the external ID', async () => {
    const before = (await readAllRecords(client, 'checked')).length;

    const { code, output } = await runCheck(flags('wrong-external-id-0042'), check);

    expect(code).toBe(1);
    expect(output).toContain('FAILED  assume');
    expect(output).toMatch(/means: STS refused to let this function assume .* with external ID \*\*\*\*0042/);
    expect(output).toMatch(
      /fix: {3}set the destination's externalId to one of the external IDs the writer role trusts/,
    );
    expect(output).toContain('FAILED at step "credentials"');
    expect(output).not.toContain('wrong-external-id-0042');
    expect((await readAllRecords(client, 'checked')).length).toBe(before);
  });

  it('reports a stream that does not exist at the put-record step, with the fix', async () => {
    const report = await checkDestination({
      id: 'missing',
      streamName: 'no-such-stream',
      region: 'us-east-1',
      endpoint: kinesis.endpoint,
      credentials: emulatorCredentials(),
      aggregate: false,
      hotKeys: { enabled: true, recordsPerSecond: 500 },
    });

    expect(report.ok).toBe(false);
    expect(report.steps).toEqual([
      expect.objectContaining({
        name: 'put-record',
        ok: false,
        errorCode: 'ResourceNotFoundException',
        fix: expect.stringContaining("set streamName to the stream stack's StreamName output"),
      }),
    ]);
  });

  it('exits 2 with the usage when the command line names no destination', async () => {
    const { code, output } = await runCheck(['--region', 'us-east-1'], check);

    expect(code).toBe(2);
    expect(output).toContain('give --config FILE, or --stream and --region');
    expect(output).toContain('usage: npm run -s check-destination');
  });
});
