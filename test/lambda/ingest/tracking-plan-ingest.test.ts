import { createHash } from 'node:crypto';
import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import { Ingest, type IngestOutcome } from '../../../lambda/ingest/ingest';
import { ensureStream } from '../../../local/streams';
import { readAllRecords } from '../../support/stream-reader';
import { useTestKinesis } from '../../support/test-collector';

const kinesis = useTestKinesis();
let streams = 0;

/**
 * A source as the configuration document gives it (parsed, defaults filled in), and one ingest
 * written to kinesalite over HTTP: a fresh one-shard stream and its failed-events stream.
 */
async function ingestWith(source: Record<string, unknown>, messages: unknown[], sourceIp?: string) {
  const stream = `plan-${++streams}`;
  await ensureStream(kinesis.client, stream, 1);
  await ensureStream(kinesis.client, `${stream}-failed`, 1);
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: ['k'], destinations: ['d'], ...source }],
    destinations: [
      { id: 'd', streamName: stream, region: 'us-east-1', failedStreamName: `${stream}-failed` },
    ],
  });
  const writer = (streamName: string) =>
    new KinesisRecordWriter({ client: kinesis.client, streamName, backoff: config.delivery });
  const ingest = new Ingest({
    writers: new Map([['d', writer(stream)]]),
    failedWriters: new Map([['d', writer(`${stream}-failed`)]]),
    maxEventBytes: 32 * 1024,
  });
  const outcome: IngestOutcome = await ingest.ingest({
    source: config.sources[0] as RuntimeSource,
    messages,
    receivedAt: Date.parse('2026-12-06T12:00:00.000Z'),
    deadline: Date.now() + 5000,
    ...(sourceIp === undefined ? {} : { sourceIp }),
  });
  const read = async (name: string) => (await readAllRecords(kinesis.client, name)).map((r) => r.json);
  return { outcome, main: await read(stream), failed: await read(`${stream}-failed`) };
}

const PLANNED = { 'Order Completed': { type: 'object', required: ['order_id'] } };
const planned = {
  type: 'track',
  messageId: 'planned',
  userId: 'u1',
  event: 'Order Completed',
  properties: { order_id: 'o-1' },
};
const violating = { ...planned, messageId: 'violating', properties: { orderId: 'o-2' } };
const unplanned = { ...planned, messageId: 'unplanned', event: 'Coupon Applied', properties: {} };

describe('a tracking plan as the configuration document gives it, applied by Ingest', () => {
  it('lets an unplanned event through untouched and blocks a violating one when the plan names neither action', async () => {
    const { outcome, main, failed } = await ingestWith({ trackingPlan: { events: PLANNED } }, [
      planned,
      unplanned,
      violating,
    ]);

    expect(main.map((r) => r.event_id)).toEqual(['planned', 'unplanned']);
    expect(main[1]).not.toHaveProperty('violations');
    expect(outcome.rejectionCodes).toEqual({ plan_violation: 1 });
    expect(failed.map((r) => r.event_id)).toEqual(['violating']);
  });

  it.each([
    ['allow', ['planned', 'unplanned'], {}],
    ['flag', ['planned', 'unplanned'], {}],
    ['block', ['planned'], { unplanned_event: 1 }],
  ] as const)('applies unplanned: %s as configured', async (unplannedAction, written, codes) => {
    const { outcome, main } = await ingestWith(
      { trackingPlan: { events: PLANNED, unplanned: unplannedAction, violations: 'allow' } },
      [planned, unplanned],
    );

    expect(main.map((r) => r.event_id)).toEqual(written);
    expect(outcome.rejectionCodes).toEqual(codes);
    const flagged = main.find((r) => r.event_id === 'unplanned')?.violations;
    expect(flagged).toEqual(
      unplannedAction === 'flag'
        ? [
            {
              path: 'event',
              rule: 'unplanned',
              message: 'event "Coupon Applied" is not in the tracking plan',
            },
          ]
        : undefined,
    );
  });

  it.each([
    ['allow', ['planned', 'violating'], {}],
    ['flag', ['planned', 'violating'], {}],
    ['block', ['planned'], { plan_violation: 1 }],
  ] as const)('applies violations: %s as configured', async (violationsAction, written, codes) => {
    const { outcome, main } = await ingestWith(
      { trackingPlan: { events: PLANNED, unplanned: 'block', violations: violationsAction } },
      [planned, violating],
    );

    expect(main.map((r) => r.event_id)).toEqual(written);
    expect(outcome.rejectionCodes).toEqual(codes);
    const flagged = main.find((r) => r.event_id === 'violating')?.violations;
    expect(flagged).toEqual(
      violationsAction === 'flag'
        ? [{ path: 'properties.order_id', rule: 'required', message: 'properties.order_id is required' }]
        : undefined,
    );
  });

  it('refuses a blocked event with its reason, keeps it in the failed-events stream at stage tracking_plan and writes it nowhere else', async () => {
    const { outcome, main, failed } = await ingestWith(
      { trackingPlan: { events: PLANNED, unplanned: 'block' } },
      [violating, unplanned],
    );

    expect(outcome).toMatchObject({
      kind: 'nothing-valid',
      keptInFailedStream: true,
      rejected: [
        {
          index: 0,
          messageId: 'violating',
          reason: 'track "Order Completed" violates the tracking plan: properties.order_id is required',
        },
        {
          index: 1,
          messageId: 'unplanned',
          reason:
            'track "Coupon Applied" violates the tracking plan: event "Coupon Applied" is not in the tracking plan',
        },
      ],
    });
    expect(main).toEqual([]);
    expect(failed.map((r) => [r.event_id, r.failure])).toEqual([
      [
        'violating',
        {
          code: 'plan_violation',
          stage: 'tracking_plan',
          reason: 'track "Order Completed" violates the tracking plan: properties.order_id is required',
        },
      ],
      [
        'unplanned',
        {
          code: 'unplanned_event',
          stage: 'tracking_plan',
          reason:
            'track "Coupon Applied" violates the tracking plan: event "Coupon Applied" is not in the tracking plan',
        },
      ],
    ]);
    expect(failed[0]?.payload).toEqual(violating);
  });
});

describe('recordFormat: segment', () => {
  const segment = { recordFormat: 'segment' };

  it('marks a flagged event with its violations in the Segment message, and leaves a clean one unmarked', async () => {
    const { main } = await ingestWith(
      { pipeline: segment, trackingPlan: { events: PLANNED, unplanned: 'flag', violations: 'flag' } },
      [planned, violating, unplanned],
    );

    expect(main.map((r) => [r.messageId, r.violations])).toEqual([
      ['planned', undefined],
      [
        'violating',
        [{ path: 'properties.order_id', rule: 'required', message: 'properties.order_id is required' }],
      ],
      [
        'unplanned',
        [{ path: 'event', rule: 'unplanned', message: 'event "Coupon Applied" is not in the tracking plan' }],
      ],
    ]);
  });

  it('drops and hashes the configured fields and truncates the IP in the Segment message, the request’s IP included', async () => {
    const identify = {
      type: 'identify',
      messageId: 'id-1',
      userId: 'u1',
      traits: { email: 'jane@example.com', phone: '+44 20 7946 0000', plan: 'pro' },
      context: { ip: '203.0.113.77', userAgent: 'test' },
    };
    const fromRequest = { ...identify, messageId: 'id-2', context: { userAgent: 'test' } };

    const { main } = await ingestWith(
      {
        pipeline: {
          ...segment,
          redact: { drop: ['traits.phone'], hash: ['traits.email'], hashAlgorithm: 'sha256', ip: 'truncate' },
        },
      },
      [identify, fromRequest],
      '2001:db8:85a3:8d3:1319:8a2e:370:7348',
    );

    const sha256 = createHash('sha256').update('jane@example.com').digest('hex');
    expect(main.map((r) => [r.messageId, r.traits, (r.context as { ip?: string }).ip])).toEqual([
      ['id-1', { email: sha256, plan: 'pro' }, '203.0.113.0'],
      ['id-2', { email: sha256, plan: 'pro' }, '2001:db8:85a3::'],
    ]);
    expect(JSON.stringify(main)).not.toMatch(/jane@example\.com|7946|203\.0\.113\.77|8a2e/);
  });

  it('drops the IP from the Segment message, the request’s IP included, when the source drops it', async () => {
    const { main } = await ingestWith(
      { pipeline: { ...segment, redact: { ip: 'drop' } } },
      [
        { ...planned, context: { ip: '203.0.113.77' } },
        { ...planned, messageId: 'no-ip' },
      ],
      '198.51.100.7',
    );

    expect(main.map((r) => r.context)).toEqual([
      { kinesis_event_forwarder: { source_id: 'web', integration_id: 'd' } },
      { kinesis_event_forwarder: { source_id: 'web', integration_id: 'd' } },
    ]);
  });
});
