import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorClient } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { readSpillFiles } from '../../tools/redrive/file-spill-source';
import { runRedrive } from '../../tools/redrive/run-redrive';
import { captureOutput } from '../support/assume-role-collector';
import { sendBatch } from '../support/collector-requests';
import { startEntryCollector } from '../support/entry-collector';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const valid = { type: 'track', messageId: 'valid', userId: 'u', event: 'A' };
const refused = { type: 'track', messageId: 'refused', event: 'B' };

describe('a failure record spilled while the failed-events stream is down', () => {
  const kinesis = useTestKinesis();
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failed-spill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.json`, { force: true });
  });

  /**
   * The real entry (createCollector) with SPILL_DIR, writing `<stream>` (there) and its failed-events
   * stream `<stream>-failed` (missing): one request with a valid and a refused event.
   */
  async function spillFailureRecord(stream: string) {
    await ensureStream(kinesis.client, stream, 1);
    const document = {
      sources: [{ id: 's', writeKeys: ['k'], destinations: ['d'] }],
      destinations: [
        {
          id: 'd',
          streamName: stream,
          failedStreamName: `${stream}-failed`,
          region: 'us-east-1',
          endpoint: kinesis.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
      ],
      delivery: { budgetMs: 5000 },
    };
    const collector = await startEntryCollector({
      SPILL_DIR: dir,
      COLLECTOR_CONFIG: JSON.stringify(document),
    });
    const output = captureOutput();
    try {
      const answer = await sendBatch(collector.url, 'k', [valid, refused]);
      expect(answer.status).toBe(200);
    } finally {
      output.restore();
      await collector.close();
    }
    const configFile = `${dir}.json`;
    await writeFile(configFile, JSON.stringify(document));
    return { configFile };
  }

  /** What each stream holds once the failed-events stream exists and the redrive ran with `args`. */
  async function redriveWith(stream: string, args: string[]) {
    await ensureStream(kinesis.client, `${stream}-failed`, 1);
    const output = captureOutput();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    let code: number;
    try {
      code = await runRedrive(['--spill-dir', dir, ...args], {});
    } finally {
      output.restore();
    }
    const client = emulatorClient(kinesis.endpoint, 'us-east-1');
    try {
      return {
        code,
        main: (await readAllRecords(client, stream)).map((r) => r.json.event_id),
        failed: (await readAllRecords(client, `${stream}-failed`)).map((r) => r.json.event_id),
      };
    } finally {
      client.destroy();
    }
  }

  it('is spilled as its destination’s failed-events stream, and the redrive of the configuration puts it back there, not into the main stream', async () => {
    // Prepare
    const { configFile } = await spillFailureRecord('identity-config');
    const spilled = (await readSpillFiles(dir)).flatMap((file) => file.records);

    // Act
    const after = await redriveWith('identity-config', [
      '--config',
      configFile,
      '--kinesis-endpoint',
      kinesis.endpoint,
    ]);

    // Assess
    expect(spilled.map((r) => [r.destinationId, r.eventId])).toEqual([['d#failed', 'refused']]);
    expect(after).toEqual({ code: 0, main: ['valid'], failed: ['refused'] });
  });

  it('goes back to <stream>-failed, not the main stream, when the redrive is given --stream', async () => {
    await spillFailureRecord('identity-stream');

    const after = await redriveWith('identity-stream', [
      '--stream',
      'identity-stream',
      '--kinesis-endpoint',
      kinesis.endpoint,
    ]);

    expect(after).toEqual({ code: 0, main: ['valid'], failed: ['refused'] });
  });
});
