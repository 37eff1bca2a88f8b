import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorClient } from '../../local/local-mode';
import { failureRecordSchemaErrors } from '../support/envelope-schema';
import { signalGroup, startLocalCollector, waitForOutput } from '../support/npm-start';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** A plan requiring `order_id` on "Order Completed", blocking violations, letting unplanned events through. */
const PLAN = {
  events: {
    'Order Completed': {
      type: 'object',
      required: ['order_id'],
      properties: { order_id: { type: 'string' }, revenue: { type: 'number' } },
    },
  },
  unplanned: 'allow',
  violations: 'block',
};

/**
 * The local collector's entry (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts),
 * writing to an in-process kinesalite through KINESIS_ENDPOINT.
 */
describe('the local collector (bin/local-collector.ts) with TRACKING_PLAN_FILE and the failed-events stream', () => {
  const sharedKinesis = useTestKinesis();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-'));
    await writeFile(join(dir, 'plan.json'), JSON.stringify(PLAN));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the planned and the unplanned event, keeps the three refused ones and an unparseable body in <STREAM_NAME>-failed with their reasons', async () => {
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      STREAM_NAME: 'plan-test',
      WRITE_KEY: 'plan-key',
      TRACKING_PLAN_FILE: join(dir, 'plan.json'),
    });
    try {
      const collectorUrl = (await waitForOutput(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitForOutput(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toMatch(/Failed stream:\s+plan-test-failed/);
      expect(started.output()).toMatch(/Tracking plan:\s+\S+plan\.json/);

      const batch = [
        {
          type: 'track',
          messageId: 'planned',
          userId: 'u1',
          event: 'Order Completed',
          properties: { order_id: 'o-1' },
        },
        {
          type: 'track',
          messageId: 'violating',
          userId: 'u2',
          event: 'Order Completed',
          properties: { revenue: 5 },
        },
        { type: 'track', messageId: 'unplanned', userId: 'u3', event: 'Signed Up' },
        { type: 'bogus', messageId: 'unknown-type', userId: 'u4' },
        { type: 'track', messageId: 'no-ids', event: 'Order Completed', properties: { order_id: 'o-2' } },
      ];
      const response = await fetch(`${collectorUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic('plan-key'), 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as {
        accepted: number;
        rejected: { index: number; reason: string }[];
      };
      expect(answer.accepted).toBe(2);
      expect(answer.rejected.map((r) => r.index)).toEqual([1, 3, 4]);

      const unparseable = await fetch(`${collectorUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic('plan-key'), 'content-type': 'application/json' },
        body: '{"batch": [ {"userId": "u5", "event": "Order Compl',
      });
      expect(unparseable.status).toBe(400);

      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      const main = await readAllRecords(kinesis, 'plan-test');
      const failed = await readAllRecords(kinesis, 'plan-test-failed');
      kinesis.destroy();
      expect(main.map((r) => r.json.event_id).sort()).toEqual(['planned', 'unplanned']);

      const byId = new Map(failed.map((r) => [r.json.event_id, r.json]));
      const events = failed.filter((r) => r.json.payload !== undefined);
      expect(events.map((r) => r.json.event_id).sort()).toEqual(['no-ids', 'unknown-type', 'violating']);
      for (const record of events) {
        const { failure } = record.json as { failure: { reason: string } };
        const index = (record.json.request as { index: number }).index;
        expect(failure.reason).toBe(answer.rejected.find((r) => r.index === index)?.reason);
      }
      expect(byId.get('violating')).toMatchObject({
        failure: {
          code: 'plan_violation',
          stage: 'tracking_plan',
          reason: expect.stringContaining('properties.order_id is required'),
        },
        source_id: 'dev',
        request: { path: '/v1/batch', contentType: 'application/json', index: 1 },
        payload: batch[1],
      });
      expect(byId.get('unknown-type')).toMatchObject({
        failure: { code: 'invalid_type', stage: 'validation' },
      });
      expect(byId.get('no-ids')).toMatchObject({ failure: { code: 'missing_id', stage: 'validation' } });
      expect(failed.find((r) => r.json.event_id === 'violating')?.partitionKey).toBe('u2');

      const raw = failed.filter((r) => r.json.raw !== undefined);
      expect(raw).toHaveLength(1);
      expect(raw[0]?.json).toMatchObject({
        failure: { code: 'unparseable', stage: 'request', reason: expect.stringContaining('not valid JSON') },
        raw: '{"batch": [ {"userId": "u5", "event": "Order Compl',
        raw_encoding: 'utf8',
        raw_truncated: false,
        request: { path: '/v1/batch', index: null },
      });
      expect(failed).toHaveLength(4);
      for (const record of failed) expect(failureRecordSchemaErrors(record.json)).toEqual([]);
    } finally {
      signalGroup(started, 'SIGKILL');
    }
  });
});
