import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStream } from '../../local/streams';
import { runReplayCli } from '../../tools/replay/replay-cli';
import {
  basicAuth,
  type PlanCollectorSettings,
  planDocument,
  startPlanCollector,
} from '../support/plan-collector';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const KEY = 'replay-key';

const settings = (endpoint: string, required: string[]): PlanCollectorSettings => ({
  endpoint,
  sourceId: 'shop',
  writeKey: KEY,
  streamName: 'replay-events',
  failedStreamName: 'replay-events-failed',
  required,
});

describe('npm run replay-failed', () => {
  const kinesis = useTestKinesis();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the events a fixed plan now accepts to the main stream once, and reports what still fails', async () => {
    // Prepare: a collector whose plan wants order_id; the client sends orderId instead.
    await ensureStream(kinesis.client, 'replay-events', 1);
    await ensureStream(kinesis.client, 'replay-events-failed', 1);
    const collector = await startPlanCollector(settings(kinesis.endpoint, ['order_id']));
    const batch = [
      {
        type: 'track',
        messageId: 'ok',
        userId: 'u1',
        event: 'Order Completed',
        properties: { order_id: 'a' },
      },
      {
        type: 'track',
        messageId: 'camel',
        userId: 'u2',
        event: 'Order Completed',
        properties: { orderId: 'b' },
      },
      { type: 'track', userId: 'u3', event: 'Order Completed', properties: { orderId: 'c' } },
      { type: 'track', messageId: 'no-ids', event: 'Order Completed', properties: { order_id: 'd' } },
    ];
    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(KEY) },
      body: JSON.stringify({ batch }),
    });
    await collector.close();
    expect(((await response.json()) as { accepted: number }).accepted).toBe(1);
    const fixed = join(dir, 'fixed.json');
    await writeFile(fixed, JSON.stringify(planDocument(settings(kinesis.endpoint, []))));
    const args = [
      '--stream',
      'replay-events-failed',
      '--since',
      '1h',
      '--config',
      fixed,
      '--endpoint',
      kinesis.endpoint,
    ];
    const run = async (extra: string[] = []) => {
      const lines: string[] = [];
      const code = await runReplayCli(
        [...args, ...extra],
        {},
        { log: (l) => lines.push(l), progress: () => undefined },
      );
      return { code, output: lines.join('\n') };
    };

    // Act: a dry run, the replay, and the same replay again.
    const dry = await run(['--dry-run']);
    const afterDry = await readAllRecords(kinesis.client, 'replay-events');
    const first = await run();
    const second = await run();

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.output).toContain(
      'replayed 2, already there 0, filtered 0, still failing 1 (dry run: nothing written)',
    );
    expect(afterDry).toHaveLength(1);
    expect(first.code).toBe(0);
    expect(first.output).toContain('read 3, replayed 2, already there 0, filtered 0, still failing 1');
    expect(first.output).toContain(
      'Still failing:\n  1 × userId or anonymousId is required (empty strings count as absent)',
    );
    expect(second.output).toContain('read 3, replayed 0, already there 2, filtered 0, still failing 1');
    const main = await readAllRecords(kinesis.client, 'replay-events');
    const failed = await readAllRecords(kinesis.client, 'replay-events-failed');
    const generatedId = failed.find((r) => (r.json.payload as { messageId?: string }).messageId === undefined)
      ?.json.event_id;
    expect(main.map((r) => r.json.event_id).sort()).toEqual(['camel', 'ok', generatedId].sort());
    expect(main.find((r) => r.json.event_id === 'camel')?.json).toMatchObject({
      source_id: 'shop',
      properties: { orderId: 'b' },
      received_at: failed[0]?.json.received_at,
    });
  });

  it('refuses to run without --since, with exit status 2 from the command', async () => {
    await expect(
      runReplayCli(['--stream', 'x'], {}, { log: () => undefined, progress: () => undefined }),
    ).rejects.toThrow('--since TIME is required (e.g. --since 1h)');
  });
});
