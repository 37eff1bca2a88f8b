import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AssumeRoleCollector,
  type CapturedOutput,
  captureOutput,
  startAssumeRoleCollector,
} from '../support/assume-role-collector';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Sends `count` track events in one batch request with the source's write key. */
function sendBatch(url: string, writeKey: string, prefix: string, count: number): Promise<Response> {
  const batch = Array.from({ length: count }, (_, index) => ({
    type: 'track',
    event: 'Order Completed',
    userId: `user-${index % 50}`,
    messageId: `${prefix}-${index}`,
  }));
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
}

/**
 * Sends a batch as an SDK does: again after a 429 or 503 (Retry-After scaled down to 200 ms), so a
 * busy machine that runs past the delivery budget costs a retry, not a red test. Returns the last status.
 */
async function sendUntilAnswered(url: string, writeKey: string, prefix: string, count: number) {
  for (let attempt = 1; ; attempt++) {
    const response = await sendBatch(url, writeKey, prefix, count);
    await response.arrayBuffer();
    if (![429, 503].includes(response.status) || attempt === 10) return response.status;
    await sleep(200);
  }
}

/** Each distinct `event_id` in the records, once (a retried request may have landed part of it twice). */
const distinct = <T extends { json: Record<string, unknown> }>(records: readonly T[]): T[] => [
  ...new Map(records.map((record) => [String(record.json.event_id), record])).values(),
];

describe('writing through the writer role the CDK app synthesizes', () => {
  let collector: AssumeRoleCollector | undefined;
  let output: CapturedOutput | undefined;

  afterEach(async () => {
    output?.restore();
    output = undefined;
    await collector?.stop();
    collector = undefined;
  });

  it('lands 10,000 events from two sources in two destinations with exactly one AssumeRole per destination', async () => {
    // Prepare: source "web" writes to "warehouse"; source "app" fans out to "warehouse" and "audit".
    collector = await startAssumeRoleCollector({
      trustedExternalIds: ['ext-warehouse-1111', 'ext-audit-2222'],
      destinationIds: ['warehouse', 'audit'],
      externalIdOf: (id) => (id === 'warehouse' ? 'ext-warehouse-1111' : 'ext-audit-2222'),
      sources: [
        { id: 'web', writeKey: 'web-key', destinations: ['warehouse'] },
        { id: 'app', writeKey: 'app-key', destinations: ['warehouse', 'audit'] },
      ],
    });
    // The collector's metric lines (Powertools writes them to stdout itself) stay out of the test output.
    output = captureOutput();
    const { url } = collector;

    // Act: 100 requests of 100 events, 10 at a time, half per source.
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            i % 2 === 0
              ? sendUntilAnswered(url, 'web-key', `web-${round}-${i}`, 100)
              : sendUntilAnswered(url, 'app-key', `app-${round}-${i}`, 100),
          ),
        )),
      );
    }

    // Assess
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const calls = collector.sts.calls();
    expect(calls.map((call) => [call.roleSessionName, call.externalId, call.allowed]).sort()).toEqual([
      ['kinesis-event-forwarder-audit', 'ext-audit-2222', true],
      ['kinesis-event-forwarder-warehouse', 'ext-warehouse-1111', true],
    ]);
    expect(calls.every((call) => call.roleArn === collector?.role.roleArn)).toBe(true);
    const warehouse = distinct(await collector.records('warehouse'));
    const audit = distinct(await collector.records('audit'));
    expect(warehouse).toHaveLength(10_000);
    expect(audit).toHaveLength(5_000);
    expect(new Set(audit.map((record) => record.json.source_id))).toEqual(new Set(['app']));
    expect(new Set(audit.map((record) => record.json.integration_id))).toEqual(new Set(['audit']));
    const warehouseSources = warehouse.map((record) => record.json.source_id);
    expect(warehouseSources.filter((source) => source === 'web')).toHaveLength(5_000);
    expect(warehouseSources.filter((source) => source === 'app')).toHaveLength(5_000);
  }, 120_000);

  it('asks STS again exactly once when the credentials come within five minutes of their expiry', async () => {
    // Prepare: credentials valid for 303 s, so the SDK's five-minute refresh window opens 2-3 s after
    // STS issued them (it states the expiry in whole seconds, rounded down).
    collector = await startAssumeRoleCollector({
      trustedExternalIds: ['ext-refresh-3333'],
      destinationIds: ['warehouse'],
      externalIdOf: () => 'ext-refresh-3333',
      sources: [{ id: 'web', writeKey: 'web-key', destinations: ['warehouse'] }],
      credentialSeconds: 303,
    });
    // The collector's metric lines (Powertools writes them to stdout itself) stay out of the test output.
    output = captureOutput();
    const { url } = collector;
    const burst = async (prefix: string) =>
      (
        await Promise.all(
          Array.from({ length: 5 }, (_, i) => sendBatch(url, 'web-key', `${prefix}-${i}`, 10)),
        )
      ).map((response) => response.status);

    // Act
    const first = await burst('first');
    // The credentials in use were issued by now, so their window has opened 3 s from now at the latest.
    const windowOpenBy = Date.now() + 3_000;
    const callsBeforeExpiry = collector.sts.calls().length;
    await sleep(windowOpenBy + 50 - Date.now());
    const second = await burst('second');
    const third = await burst('third');

    // Assess
    expect([...first, ...second, ...third]).toEqual(Array(15).fill(200));
    expect(callsBeforeExpiry).toBe(1);
    expect(collector.sts.calls()).toHaveLength(2);
    expect(await collector.records('warehouse')).toHaveLength(150);
  }, 60_000);

  it('answers 503 with Retry-After, writes nothing and logs the fix once when the external ID is not trusted', async () => {
    // Prepare: the role trusts another external ID than the destination's.
    collector = await startAssumeRoleCollector({
      trustedExternalIds: ['ext-trusted-4444'],
      destinationIds: ['warehouse'],
      externalIdOf: () => 'wrong-external-id-9999',
      sources: [{ id: 'web', writeKey: 'web-key', destinations: ['warehouse'] }],
    });
    output = captureOutput();

    // Act: three requests, one after another.
    const responses: Response[] = [];
    const elapsedMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      responses.push(await sendBatch(collector.url, 'web-key', `denied-${i}`, 5));
      elapsedMs.push(performance.now() - started);
    }
    output.restore();

    // Assess: the client sends again later; nothing is in the stream.
    expect(responses.map((response) => response.status)).toEqual([503, 503, 503]);
    expect(responses.map((response) => response.headers.get('retry-after'))).toEqual(['2', '2', '2']);
    expect(await collector.records('warehouse')).toEqual([]);
    expect(collector.sts.calls().every((call) => !call.allowed)).toBe(true);
    // A refusal is permanent: one AssumeRole per request, no retry until the 6 s budget runs out
    // (plus the one the container started at init, refused too, which the first request did not take).
    expect(collector.sts.calls()).toHaveLength(4);
    expect(Math.max(...elapsedMs)).toBeLessThan(2_000);

    const lines = output.lines();
    const diagnoses = lines.filter((line) => line.errorCode === 'AccessDenied' && line.fix !== undefined);
    expect(diagnoses).toHaveLength(1);
    const [diagnosis] = diagnoses;
    expect(diagnosis).toMatchObject({
      level: 'ERROR',
      destinationId: 'warehouse',
      externalId: '****9999',
      roleArn: collector.role.roleArn,
    });
    expect(String(diagnosis?.message)).toContain(
      "set the destination's externalId to one of the external IDs the writer role trusts",
    );
    expect(JSON.stringify(lines)).not.toContain('wrong-external-id-9999');

    const metrics = lines.filter((line) => line._aws !== undefined && 'DeliveryErrors' in line);
    expect(metrics).toHaveLength(3);
    expect(metrics.map((line) => [line.errorCode, line.DeliveryErrors])).toEqual([
      ['AccessDenied', 5],
      ['AccessDenied', 5],
      ['AccessDenied', 5],
    ]);
  }, 60_000);
});
