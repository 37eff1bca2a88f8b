import { emulatorClient } from '../../local/local-mode';
import { npmStart, signalGroup, waitForOutput } from '../support/npm-start';
import { readAllRecords } from '../support/stream-reader';

async function track(collectorUrl: string, messageId: string): Promise<Response> {
  return fetch(`${collectorUrl}/v1/track`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('dev-write-key:').toString('base64')}` },
    body: JSON.stringify({ userId: 'user-1', event: 'Signed Up', messageId }),
  });
}

/**
 * The two commands of docs/cross-account.md ("Try it locally"), as written there, on free ports:
 * test/docs/commands.test.ts counts on this file to run them.
 */
describe('npm start with EXTERNAL_ID, through the local STS', () => {
  it('prints the STS endpoint and writes with credentials from AssumeRole when the role trusts the external ID', async () => {
    // Prepare
    const started = npmStart({
      POWERTOOLS_LOG_LEVEL: 'INFO',
      PORT: '0',
      KINESIS_PORT: '0',
      EXTERNAL_ID: 'my-ext-id',
    });
    try {
      const collectorUrl = (await waitForOutput(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitForOutput(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toMatch(/STS endpoint:\s+http:\/\/127\.0\.0\.1:\d+ \(local STS/);
      expect(started.output()).toMatch(/Writer role:\s+arn:aws:iam::000000000000:role\/\S+/);

      // Act
      const response = await track(collectorUrl, 'through-sts');

      // Assess
      expect(response.status).toBe(200);
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'events')).map((r) => r.json.event_id)).toEqual(['through-sts']);
      kinesis.destroy();
    } finally {
      signalGroup(started, 'SIGKILL');
      await started.exited;
    }
  }, 90_000);

  it('answers 503, writes nothing and logs the fix when TRUSTED_EXTERNAL_IDS alone leaves the collector’s default external ID untrusted', async () => {
    // Prepare
    const started = npmStart({
      POWERTOOLS_LOG_LEVEL: 'INFO',
      PORT: '0',
      KINESIS_PORT: '0',
      TRUSTED_EXTERNAL_IDS: 'other',
    });
    try {
      const collectorUrl = (await waitForOutput(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitForOutput(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toContain(
        'External ID:      dev-external-id (the role trusts 1 external ID, NOT this one: ingest answers 503)',
      );

      // Act
      const response = await track(collectorUrl, 'refused');

      // Assess
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      // The answer names the failing dependency: STS refused the role, the stream was never tried.
      const { error } = (await response.json()) as { error: string };
      expect(error).toContain(
        'destination "local-kinesis": its writer role could not be assumed (STS: AccessDenied)',
      );
      expect(error).not.toContain('dev-external-id');
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect(await readAllRecords(kinesis, 'events')).toEqual([]);
      kinesis.destroy();
      const diagnosis = (
        await waitForOutput(started, /^\{.*"errorCode":"AccessDenied".*"fix".*\}$/m, 45_000)
      )[0];
      expect(JSON.parse(diagnosis)).toMatchObject({
        level: 'ERROR',
        destinationId: 'local-kinesis',
        externalId: '****l-id',
      });
    } finally {
      signalGroup(started, 'SIGKILL');
      await started.exited;
    }
  }, 90_000);
});
