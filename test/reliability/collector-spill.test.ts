import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { emulatorClient } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { FileSpillSource, readSpillFiles } from '../../tools/redrive/file-spill-source';
import { redrive } from '../../tools/redrive/spill-redrive';
import { captureOutput } from '../support/assume-role-collector';
import { sendBatch } from '../support/collector-requests';
import { startEntryCollector } from '../support/entry-collector';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

describe('the collector entry with SPILL_DIR', () => {
  it('answers 200 while the stream is missing, spills the events, and the redrive lands them once', async () => {
    // Prepare: the real entry (createCollector), configured through its env; the stream does not exist yet.
    const kinesis = await startTestKinesis();
    const client = emulatorClient(kinesis.endpoint, 'us-east-1');
    const dir = await mkdtemp(join(tmpdir(), 'collector-spill-'));
    const collector = await startEntryCollector({
      SPILL_DIR: dir,
      COLLECTOR_CONFIG: JSON.stringify({
        sources: [{ id: 's', writeKeys: ['k'], destinations: ['d'] }],
        destinations: [
          {
            id: 'd',
            streamName: 'not-yet',
            region: 'us-east-1',
            endpoint: kinesis.endpoint,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          },
        ],
        // Room for a busy machine: the missing stream answers at once, the budget is not waited out.
        delivery: { budgetMs: 5000 },
      }),
    });
    // The EMF metrics Powertools prints: asserted here, kept off the test output.
    const output = captureOutput();
    try {
      // Act
      const answer = await sendBatch(collector.url, 'k', [
        { type: 'track', messageId: 'm-1', userId: 'u', event: 'A' },
        { type: 'track', messageId: 'm-2', userId: 'u', event: 'B' },
      ]);

      output.restore();

      // Assess
      expect(answer.status).toBe(200);
      const metrics = output.lines().filter((line) => line._aws !== undefined && 'SpilledEvents' in line);
      expect(metrics.map((line) => line.SpilledEvents)).toEqual([2]);
      const spilled = (await readSpillFiles(dir)).flatMap((file) => file.records);
      expect(spilled.map((r) => [r.eventId, r.errorCode])).toEqual([
        ['m-1', 'ResourceNotFoundException'],
        ['m-2', 'ResourceNotFoundException'],
      ]);
      await ensureStream(client, 'not-yet', 1);
      const writer = new KinesisRecordWriter({
        client,
        streamName: 'not-yet',
        backoff: { baseDelayMs: 10, maxDelayMs: 100 },
      });
      expect(await redrive({ source: new FileSpillSource(dir), writerFor: () => writer })).toMatchObject({
        moved: 2,
      });
      expect((await readAllRecords(client, 'not-yet')).map((r) => r.json.event_id)).toEqual(['m-1', 'm-2']);
    } finally {
      output.restore();
      await collector.close();
      client.destroy();
      await kinesis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
