import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FileSpillSource, FileSpillStore, readSpillFiles } from '../../lambda/delivery/file-spill-store';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { redrive, type SpillSource } from '../../lambda/delivery/spill-redrive';
import type { SpillStore } from '../../lambda/delivery/spill-store';
import { withSpill } from '../../lambda/delivery/spilling-record-writer';
import { SqsSpillSource, SqsSpillStore } from '../../lambda/delivery/sqs-spill-store';
import { RELIABILITY_DOC, replaceDocSection, writeDocs } from '../../reliability/doc-sections';
import { type FaultProxy, type Faults, startFaultProxy } from '../support/fault-proxy';
import { startTestSqs, type TestSqs } from '../support/sqs-server';
import { startTestCollector, TEST_DESTINATION_ID } from '../support/test-collector';

const WRITE_KEYS = ['wk-a', 'wk-b', 'wk-c', 'wk-d'];
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PlannedRequest {
  readonly path: string;
  readonly key: string;
  readonly body: string;
  readonly ids: readonly string[];
}

/** Mixed traffic: single events on /v1/track and batches of 2-30 on /v1/batch, from several write keys. */
function plan(row: string, requests: number, random: () => number): PlannedRequest[] {
  let n = 0;
  return Array.from({ length: requests }, (_, index) => {
    const key = WRITE_KEYS[index % WRITE_KEYS.length] as string;
    const event = () => ({
      type: 'track',
      messageId: `${row}-${n++}`,
      userId: `user-${Math.floor(random() * 50)}`,
      event: 'Order Completed',
      properties: { revenue: Math.round(random() * 10_000) / 100 },
    });
    if (random() < 0.5) {
      const single = event();
      const { type: _type, ...body } = single;
      return { path: '/v1/track', key, body: JSON.stringify(body), ids: [single.messageId] };
    }
    const batch = Array.from({ length: 2 + Math.floor(random() * 29) }, event);
    return { path: '/v1/batch', key, body: JSON.stringify({ batch }), ids: batch.map((e) => e.messageId) };
  });
}

/** An SDK-like client: retries 429/5xx and network errors (Retry-After scaled down to 20-60 ms). */
async function sendAll(url: string, requests: readonly PlannedRequest[], concurrency: number) {
  const sends = new Map<string, number>();
  let retries = 0;
  let gaveUp = 0;
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as PlannedRequest;
      for (let attempt = 0; ; attempt++) {
        for (const id of request.ids) sends.set(id, (sends.get(id) ?? 0) + 1);
        let status = 0;
        try {
          const response = await fetch(`${url}${request.path}`, {
            method: 'POST',
            headers: { authorization: basic(request.key), 'content-type': 'application/json' },
            body: request.body,
          });
          status = response.status;
          await response.arrayBuffer();
        } catch {
          status = -1;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) break;
        if (status >= 400 && status < 500 && status !== 429) throw new Error(`answered ${status}`);
        if (status >= 300 && status < 400) throw new Error(`answered ${status}`);
        if ([501, 505, 511].includes(status)) throw new Error(`answered ${status}`);
        if (attempt >= 60) {
          gaveUp++;
          break;
        }
        retries++;
        await sleep(20 + Math.random() * 40);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sends, retries, gaveUp, statuses };
}

interface MatrixRow {
  readonly fault: string;
  readonly sent: number;
  readonly inStream: number;
  readonly spilled: number;
  readonly redriven: number;
  readonly duplicates: number;
  /** Of the duplicates, copies of events the client sent more than once (a retried request). */
  readonly resent: number;
  /** Of the duplicates, copies from a write whose answer was lost (timeout or reset after Kinesis wrote). */
  readonly ambiguous: number;
  readonly lost: number;
  readonly clientRetries: number;
  readonly injected: string;
}

const rows: MatrixRow[] = [];

interface Scenario {
  readonly name: string;
  readonly faults?: Faults;
  /** Faults on only for the first `forMs` of the run, then off (an outage and its recovery). */
  readonly forMs?: number;
  readonly spill?: 'file' | 'sqs';
  /** Fail the spill store too while the outage lasts. */
  readonly spillDown?: boolean;
  /** STS (the writer's credentials) fails while the outage lasts. */
  readonly stsDown?: boolean;
  readonly sqsEntryFaults?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'per-record ProvisionedThroughputExceeded, 10% of records', faults: { recordThrottle: 0.1 } },
  { name: 'per-record ProvisionedThroughputExceeded, 50% of records', faults: { recordThrottle: 0.5 } },
  { name: 'whole-call throttling (400 PTE / LimitExceeded), 40% of calls', faults: { callThrottle: 0.4 } },
  { name: '500 InternalFailure, 40% of calls', faults: { serverError: 0.4 } },
  { name: 'connection reset before the write, 30% of calls', faults: { resetBefore: 0.3 } },
  {
    name: 'answer lost after the write (reset), 20% of calls',
    faults: { resetAfter: 0.2 },
  },
  {
    name: 'slow answers near the time budget (650 ms of 700), 50% of calls',
    faults: { slow: 0.5, delayMs: 650 },
  },
  { name: 'Kinesis down for 1.5 s (every call 500), file spill', faults: { serverError: 1 }, forMs: 1500 },
  {
    name: 'Kinesis down for 1.5 s, SQS spill with 30% of entries refused',
    faults: { serverError: 1 },
    forMs: 1500,
    spill: 'sqs',
    sqsEntryFaults: 0.3,
  },
  {
    name: 'Kinesis and the spill store down for 1.5 s',
    faults: { serverError: 1 },
    forMs: 1500,
    spillDown: true,
  },
  { name: 'STS failing (credentials unavailable) for 1.5 s', forMs: 1500, stsDown: true },
];

/** A writer whose client gets its credentials from a provider that throws while STS is down. */
function writerWithFlakySts(endpoint: string, streamName: string, stsDown: () => boolean): RecordWriter {
  const client = new KinesisClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
    credentials: async () => {
      if (stsDown()) {
        throw Object.assign(new Error('Could not assume the writer role: STS unavailable (injected)'), {
          name: 'CredentialsProviderError',
        });
      }
      return { accessKeyId: 'local', secretAccessKey: 'local', expiration: new Date(Date.now() + 1000) };
    },
  });
  return new KinesisRecordWriter({ client, streamName, backoff: { baseDelayMs: 20, maxDelayMs: 200 } });
}

describe('the fault matrix: events sent = events in the stream + events spilled and redriven', () => {
  let dir: string;
  let sqs: TestSqs;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fault-matrix-'));
    sqs = await startTestSqs();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await sqs.stop();
    const table = [
      '| fault | events sent | in stream | spilled | redriven | duplicates (client re-sent / answer lost) | events lost | client retries | injected |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.fault} | ${r.sent} | ${r.inStream} | ${r.spilled} | ${r.redriven} | ${r.duplicates} (${r.resent} / ${r.ambiguous}) | **${r.lost}** | ${r.clientRetries} | ${r.injected} |`,
      ),
    ].join('\n');
    console.log(table);
    if (writeDocs() && rows.length === SCENARIOS.length)
      replaceDocSection(RELIABILITY_DOC, 'fault-matrix', table);
  });

  it.each(SCENARIOS.map((scenario, index) => [scenario.name, scenario, index] as const))(
    '%s: nothing lost',
    async (_, scenario, index) => {
      // Prepare: the real handler over HTTP, its writer behind a fault proxy, a spill store behind it.
      const proxy: FaultProxy = await startFaultProxy();
      const spillDir = join(dir, `row-${index}`);
      const queueUrl = sqs.queueUrl(`spill-${index}`);
      const sqsClient = new SQSClient({
        region: 'us-east-1',
        endpoint: sqs.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      let outage = true;
      const baseStore: SpillStore =
        scenario.spill === 'sqs'
          ? new SqsSpillStore({ client: sqsClient, queueUrl })
          : new FileSpillStore(spillDir);
      const store: SpillStore = scenario.spillDown
        ? {
            spill: async (records, deadline) =>
              outage
                ? {
                    failed: records.map((_, i) => ({
                      index: i,
                      errorCode: 'SpillDown',
                      errorMessage: 'injected',
                    })),
                  }
                : baseStore.spill(records, deadline),
          }
        : baseStore;
      sqs.entryFault = () =>
        outage && Math.random() < (scenario.sqsEntryFaults ?? 0)
          ? { code: 'InternalError', senderFault: false }
          : undefined;
      let streamEndpoint = '';
      let streamName = '';
      const collector = await startTestCollector({
        timeoutMs: 10_000,
        config: (defaults) => ({
          ...defaults,
          sources: WRITE_KEYS.map((key, i) => ({
            id: `source-${i}`,
            writeKeys: [key],
            destinations: [TEST_DESTINATION_ID],
          })),
          destinations: defaults.destinations.map((destination) => {
            streamEndpoint = destination.endpoint as string;
            streamName = destination.streamName;
            proxy.upstream = streamEndpoint;
            return { ...destination, endpoint: proxy.url };
          }),
          delivery: { budgetMs: 1000, baseDelayMs: 10, maxDelayMs: 100, retryAfterSeconds: 1 },
        }),
        wrapWriter: (writer, destinationId) =>
          withSpill(
            scenario.stsDown ? writerWithFlakySts(proxy.url, streamName, () => outage) : writer,
            destinationId,
            store,
            { spillReserveMs: 300 },
          ),
      });
      proxy.faults = scenario.faults ?? {};
      const timer =
        scenario.forMs === undefined
          ? undefined
          : setTimeout(() => {
              outage = false;
              proxy.faults = {};
            }, scenario.forMs);
      if (scenario.forMs === undefined) outage = false;
      try {
        // Act: ~1,000 events in mixed requests, 8 at a time, retried like an SDK until answered 200.
        const requests = plan(`r${index}`, 120, Math.random);
        const client = await sendAll(collector.url, requests, 8);
        clearTimeout(timer);
        outage = false;
        proxy.faults = {};
        const sent = [...client.sends.keys()];
        const before = await collector.records();
        const spillSource: SpillSource =
          scenario.spill === 'sqs'
            ? new SqsSpillSource({ client: sqsClient, queueUrl, waitTimeSeconds: 0 })
            : new FileSpillSource(spillDir);
        const spilled =
          scenario.spill === 'sqs'
            ? sqs.bodies(`spill-${index}`).length
            : (await readSpillFiles(spillDir)).reduce((sum, file) => sum + file.records.length, 0);
        const direct = new KinesisRecordWriter({
          client: collector.kinesis,
          streamName: collector.streamName,
          backoff: { baseDelayMs: 10, maxDelayMs: 100 },
        });
        const summary = await redrive({ source: spillSource, writerFor: () => direct });
        const after = await collector.records();

        // Assess: every event sent is in the stream; copies only where an event was sent again.
        const copies = new Map<string, number>();
        for (const record of after) {
          const id = String(record.json.event_id);
          copies.set(id, (copies.get(id) ?? 0) + 1);
        }
        const lost = sent.filter((id) => !copies.has(id));
        const duplicates = after.length - copies.size;
        // Each extra copy is explained by a re-send of the event by the client, or else by a write
        // whose answer was lost; anything else would be a bug.
        let resent = 0;
        let ambiguous = 0;
        const unexplained: string[] = [];
        for (const [id, count] of copies) {
          const extra = count - 1;
          if (extra === 0) continue;
          const byClient = Math.min(extra, (client.sends.get(id) ?? 1) - 1);
          const byLostAnswer = Math.min(extra - byClient, proxy.ambiguous.get(id) ?? 0);
          resent += byClient;
          ambiguous += byLostAnswer;
          if (byClient + byLostAnswer < extra) unexplained.push(id);
        }
        rows.push({
          fault: scenario.name,
          sent: sent.length,
          inStream: new Set(before.map((r) => String(r.json.event_id))).size,
          spilled,
          redriven: summary.moved,
          duplicates,
          resent,
          ambiguous,
          lost: lost.length,
          clientRetries: client.retries,
          injected: Object.entries(proxy.counts)
            .filter(([name, count]) => name !== 'calls' && count > 0)
            .map(([name, count]) => `${name} ${count}`)
            .concat(scenario.stsDown ? ['STS errors while down'] : [])
            .join(', '),
        });
        expect(client.gaveUp).toBe(0);
        expect(lost).toEqual([]);
        expect(summary.failed).toBe(0);
        expect(copies.size).toBe(sent.length);
        expect(unexplained).toEqual([]);
        for (const status of client.statuses.keys()) expect([200, 429, 503, -1]).toContain(status);
      } finally {
        clearTimeout(timer);
        sqsClient.destroy();
        await collector.stop();
        await proxy.stop();
      }
    },
    60_000,
  );
});
