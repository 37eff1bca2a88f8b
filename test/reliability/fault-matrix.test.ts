import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RuntimeDestination } from '../../lambda/config/runtime-config';
import { FileSpillStore } from '../../lambda/delivery/file-spill-store';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../lambda/delivery/record-writer';
import type { SpillStore } from '../../lambda/delivery/spill-store';
import { withSpill } from '../../lambda/delivery/spilling-record-writer';
import { SqsSpillStore } from '../../lambda/delivery/sqs-spill-store';
import { LOCAL_CALLER_CREDENTIALS } from '../../local/local-mode';
import { type LocalSts, startLocalSts } from '../../local/local-sts';
import { RELIABILITY_DOC, replaceDocSection, writeDocs } from '../../reliability/doc-sections';
import { FileSpillSource, readSpillFiles } from '../../tools/redrive/file-spill-source';
import { redrive, type SpillSource } from '../../tools/redrive/spill-redrive';
import { SqsSpillSource } from '../../tools/redrive/sqs-spill-source';
import { writerRoleTrusting } from '../support/assume-role-collector';
import { type FaultProxy, type Faults, startFaultProxy } from '../support/fault-proxy';
import { postOverHttp } from '../support/post-over-http';
import { startTestSqs, type TestSqs } from '../support/sqs-server';
import { type StsFaultFront, startStsFaultFront } from '../support/sts-fault-front';
import { startTestCollector, TEST_DESTINATION_ID } from '../support/test-collector';

const WRITE_KEYS = ['wk-a', 'wk-b', 'wk-c', 'wk-d'];
/**
 * Requests per row (~500 events). A row's CPU grows with its requests (the handler, the SDK's
 * calls, the proxy, kinesalite); 120 requests (~1,000 events) cost ~10 s more CPU a run, while with
 * 60 every row still injects its fault a dozen times or more (docs/reliability.md's table), and the
 * outage rows' faults come from their 1.5 s outage, which 60 requests outlast.
 */
const REQUESTS_PER_ROW = 60;
const EXTERNAL_ID = 'ext-fault-matrix-5150';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

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

/** One answer the client got: its status and how many events the request carried. */
interface Answer {
  readonly status: number;
  readonly events: number;
}

/**
 * An SDK-like client: retries 429/5xx and network errors (Retry-After scaled down to 20-60 ms). On
 * each 200 it asks `notDurable` which of the request's events are neither in the stream nor spilled
 * at that moment: a 200 must come after the write, never before.
 */
async function sendAll(
  url: string,
  requests: readonly PlannedRequest[],
  concurrency: number,
  notDurable: (ids: readonly string[]) => string[],
) {
  const sends = new Map<string, number>();
  let retries = 0;
  let gaveUp = 0;
  const answers: Answer[] = [];
  const acknowledgedBeforeDurable: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as PlannedRequest;
      for (let attempt = 0; ; attempt++) {
        for (const id of request.ids) sends.set(id, (sends.get(id) ?? 0) + 1);
        let status = 0;
        try {
          const response = await postOverHttp(
            `${url}${request.path}`,
            { authorization: basic(request.key), 'content-type': 'application/json' },
            request.body,
            agent,
          );
          status = response.status;
          if (status === 200) acknowledgedBeforeDurable.push(...notDurable(request.ids));
          await response.body;
        } catch {
          status = -1;
        }
        answers.push({ status, events: request.ids.length });
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
  // Kept-alive connections, as an SDK's HTTP client keeps them.
  const agent = new Agent({ keepAlive: true });
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { sends, retries, gaveUp, answers, acknowledgedBeforeDurable };
}

/** The `event_id` of a serialised envelope. */
function eventIdOf(record: OutgoingRecord): string {
  return String((JSON.parse(Buffer.from(record.data).toString('utf8')) as { event_id?: unknown }).event_id);
}

/**
 * Wraps a destination's whole writer (spill included) and keeps what the handler cannot hide: the
 * events durable so far (written or spilled), the writes still running, and the stream writer's own
 * retry counts.
 */
class WriteRecorder implements RecordWriter {
  readonly durable = new Set<string>();
  inFlight = 0;
  writes = 0;
  calls = 0;
  retries = 0;
  throttledRecords = 0;

  constructor(private readonly writer: RecordWriter) {}

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    this.inFlight++;
    try {
      const report = await this.writer.write(records, deadline);
      this.writes++;
      this.calls += report.calls;
      this.retries += report.retries ?? 0;
      this.throttledRecords += report.throttledRecords ?? 0;
      const failed = new Set(report.failed.map((failure) => failure.index));
      records.forEach((record, index) => {
        if (!failed.has(index)) this.durable.add(eventIdOf(record));
      });
      return report;
    } finally {
      this.inFlight--;
    }
  }
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
  /** Answers the client got, by status. */
  readonly statuses: string;
  readonly clientRetries: number;
  /** PutRecords calls the stream writer made again after a failure. */
  readonly writerRetries: number;
  readonly injected: string;
}

const rows: MatrixRow[] = [];

/** What a row must show, beyond "nothing lost". */
interface Expected {
  /** The only statuses the client may see. */
  readonly statuses: readonly number[];
  /** Statuses the client must see at least once. @default none */
  readonly mustSee?: readonly number[];
  /** The stream writer must have retried. @default true */
  readonly writerRetries?: boolean;
  /** Most events spilled, as a share of events sent (retries must have saved the rest). */
  readonly maxSpilledShare?: number;
  /** The spill store must have been used. @default false */
  readonly spills?: boolean;
  /** No request of at least this many events may be answered 429 (its failures cannot all be throttling). */
  readonly no429AtOrAbove?: number;
}

interface Scenario {
  readonly name: string;
  readonly faults?: Faults;
  /** Faults on only for the first `forMs` of the run, then off (an outage and its recovery). */
  readonly forMs?: number;
  /** @default 'file' */
  readonly spill?: 'file' | 'sqs' | 'none';
  /** Fail the spill store too while the outage lasts. */
  readonly spillDown?: boolean;
  /**
   * STS refuses the first 5 `AssumeRole` calls (403 AccessDenied), then fails the next 9 (500; the
   * SDK's STS client tries each 3 times): counted in calls, not time, so a slow machine sees them all.
   */
  readonly stsDown?: boolean;
  readonly sqsEntryFaults?: number;
  /**
   * The request's delivery budget. Rows that measure retries get 3 s, so a busy machine's slow
   * calls still leave time to retry; outage rows get 1 s, shorter than the outage, so they spill.
   * @default 3000
   */
  readonly budgetMs?: number;
  readonly expected: Expected;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'per-record ProvisionedThroughputExceeded, 10% of records',
    faults: { recordThrottle: 0.1 },
    expected: { statuses: [200], maxSpilledShare: 0.02 },
  },
  {
    name: 'per-record ProvisionedThroughputExceeded, 50% of records',
    faults: { recordThrottle: 0.5 },
    // Half of every retry is refused again: the deployed default budget (6 s), not the 3 s of the
    // other retry rows, so a busy machine's slow rounds still leave time for the retries (a fresh
    // clone's run with three jest workers spilled 203 of ~1,100 within 3 s).
    budgetMs: 6000,
    expected: { statuses: [200], maxSpilledShare: 0.05 },
  },
  {
    name: 'whole-call throttling (400 PTE / LimitExceeded), 40% of calls',
    faults: { callThrottle: 0.4 },
    expected: { statuses: [200], maxSpilledShare: 0.02 },
  },
  {
    name: '500 InternalFailure, 40% of calls',
    faults: { serverError: 0.4 },
    expected: { statuses: [200], maxSpilledShare: 0.02 },
  },
  {
    name: 'connection reset before the write, 30% of calls',
    faults: { resetBefore: 0.3 },
    expected: { statuses: [200], maxSpilledShare: 0.02 },
  },
  {
    name: 'answer lost after the write (reset), 20% of calls',
    faults: { resetAfter: 0.2 },
    expected: { statuses: [200], maxSpilledShare: 0.02 },
  },
  {
    name: 'slow answers near the time budget (650 ms of 700), 50% of calls',
    faults: { slow: 0.5, delayMs: 650 },
    budgetMs: 1000,
    expected: { statuses: [200], writerRetries: false },
  },
  {
    name: 'Kinesis down for 1.5 s (every call 500), file spill',
    faults: { serverError: 1 },
    forMs: 1500,
    budgetMs: 1000,
    expected: { statuses: [200], spills: true },
  },
  {
    name: 'Kinesis down for 1.5 s, SQS spill with 30% of entries refused',
    faults: { serverError: 1 },
    forMs: 1500,
    budgetMs: 1000,
    spill: 'sqs',
    sqsEntryFaults: 0.3,
    // The SQS store resends refused entries until the deadline: a 503 only when time runs out first.
    expected: { statuses: [200, 503], spills: true },
  },
  {
    name: 'Kinesis and the spill store down for 1.5 s',
    faults: { serverError: 1 },
    forMs: 1500,
    budgetMs: 1000,
    spillDown: true,
    expected: { statuses: [200, 503], mustSee: [503] },
  },
  {
    name: 'STS refusing AssumeRole (5 calls), then failing (9 calls), through the real fromTemporaryCredentials and the local STS',
    budgetMs: 1000,
    stsDown: true,
    expected: { statuses: [200], spills: true, writerRetries: true },
  },
  {
    name: 'whole-call throttling for 1.5 s (every call), no spill store',
    faults: { callThrottle: 1 },
    forMs: 1500,
    budgetMs: 1000,
    spill: 'none',
    // A call that times out on a busy machine is a fault, not throttling: 503 is right then.
    expected: { statuses: [200, 429, 503], mustSee: [429] },
  },
  {
    name: 'per-record throttling and InternalFailure (half each) for 1.5 s, no spill store',
    faults: { recordThrottle: 0.5, recordFailure: 1 },
    forMs: 1500,
    budgetMs: 1000,
    spill: 'none',
    expected: { statuses: [200, 429, 503], mustSee: [503], no429AtOrAbove: 10 },
  },
];

/**
 * The destination's writer as the collector builds it for a writer role: its Kinesis client gets
 * credentials from the real `fromTemporaryCredentials` (AssumeRole with the external ID) through
 * `stsEndpoint`, signed with the local caller keys.
 */
function writerThroughSts(
  destination: RuntimeDestination,
  stsEndpoint: string,
  roleArn: string,
): RecordWriter {
  const client = createKinesisClient(
    { ...destination, credentials: undefined, roleArn, externalId: EXTERNAL_ID, stsEndpoint },
    { callerCredentials: { ...LOCAL_CALLER_CREDENTIALS } },
  );
  return new KinesisRecordWriter({
    client,
    streamName: destination.streamName,
    backoff: { baseDelayMs: 10, maxDelayMs: 100 },
  });
}

describe('the fault matrix: every answer is the truth about durability, and nothing is lost', () => {
  let dir: string;
  let sqs: TestSqs;
  let sts: LocalSts;
  let roleArn: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fault-matrix-'));
    sqs = await startTestSqs();
    const role = writerRoleTrusting([EXTERNAL_ID]);
    roleArn = role.roleArn;
    sts = await startLocalSts({ role });
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await sqs.stop();
    await sts.stop();
    const table = [
      '| fault | events sent | in stream | spilled | redriven | duplicates (client re-sent / answer lost) | events lost | answers | client retries | writer retries | injected |',
      '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.fault} | ${r.sent} | ${r.inStream} | ${r.spilled} | ${r.redriven} | ${r.duplicates} (${r.resent} / ${r.ambiguous}) | **${r.lost}** | ${r.statuses} | ${r.clientRetries} | ${r.writerRetries} | ${r.injected} |`,
      ),
    ].join('\n');
    if (writeDocs() && rows.length === SCENARIOS.length)
      replaceDocSection(RELIABILITY_DOC, 'fault-matrix', table);
  });

  it.each(SCENARIOS.map((scenario, index) => [scenario.name, scenario, index] as const))(
    '%s',
    async (_, scenario, index) => {
      // Prepare: the real handler over HTTP, its writer behind a fault proxy, a spill store behind it.
      const proxy: FaultProxy = await startFaultProxy();
      const stsFront: StsFaultFront = await startStsFaultFront(sts.endpoint);
      const spillDir = join(dir, `row-${index}`);
      const queueUrl = sqs.queueUrl(`spill-${index}`);
      const sqsClient = new SQSClient({
        region: 'us-east-1',
        endpoint: sqs.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      let outage = true;
      const spillKind = scenario.spill ?? 'file';
      const baseStore: SpillStore | undefined =
        spillKind === 'none'
          ? undefined
          : spillKind === 'sqs'
            ? new SqsSpillStore({ client: sqsClient, queueUrl })
            : new FileSpillStore(spillDir);
      const store: SpillStore | undefined =
        scenario.spillDown && baseStore !== undefined
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
      let recorder: WriteRecorder | undefined;
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
            proxy.upstream = destination.endpoint as string;
            return { ...destination, endpoint: proxy.url };
          }),
          delivery: {
            budgetMs: scenario.budgetMs ?? 3000,
            baseDelayMs: 10,
            maxDelayMs: 100,
            retryAfterSeconds: 1,
          },
        }),
        wrapWriter: (writer, destinationId, destination) => {
          recorder = new WriteRecorder(
            withSpill(
              scenario.stsDown ? writerThroughSts(destination, stsFront.url, roleArn) : writer,
              destinationId,
              store,
              { spillReserveMs: 300 },
            ),
          );
          return recorder;
        },
      });
      const writes = recorder as unknown as WriteRecorder;
      proxy.faults = scenario.faults ?? {};
      if (scenario.stsDown) stsFront.script.push(...Array(5).fill('refuse'), ...Array(9).fill('fail'));
      const timer =
        scenario.forMs === undefined
          ? undefined
          : setTimeout(() => {
              outage = false;
              proxy.faults = {};
              stsFront.mode = 'pass';
            }, scenario.forMs);
      if (scenario.forMs === undefined) outage = false;
      try {
        // Act: ~500 events in mixed requests, 8 at a time, retried like an SDK until answered 200.
        const requests = plan(`r${index}`, REQUESTS_PER_ROW, Math.random);
        const client = await sendAll(collector.url, requests, 8, (ids) =>
          ids.filter((id) => !writes.durable.has(id)),
        );
        // Faults stay on until every write the requests started has ended (one answered early
        // would otherwise finish without them).
        const waitStarted = Date.now();
        while (writes.inFlight > 0 && Date.now() - waitStarted < 10_000) await sleep(10);
        const writesStillRunning = writes.inFlight;
        clearTimeout(timer);
        outage = false;
        proxy.faults = {};
        stsFront.mode = 'pass';
        const sent = [...client.sends.keys()];
        const before = await collector.records();
        const spillSource: SpillSource =
          spillKind === 'sqs'
            ? new SqsSpillSource({ client: sqsClient, queueUrl, waitTimeSeconds: 0 })
            : new FileSpillSource(spillDir);
        const spilled =
          spillKind === 'sqs'
            ? sqs.bodies(`spill-${index}`).length
            : spillKind === 'file'
              ? (await readSpillFiles(spillDir)).reduce((sum, file) => sum + file.records.length, 0)
              : 0;
        const direct = new KinesisRecordWriter({
          client: collector.kinesis,
          streamName: collector.streamName,
          backoff: { baseDelayMs: 10, maxDelayMs: 100 },
        });
        const summary =
          spillKind === 'none'
            ? { moved: 0, failed: 0 }
            : await redrive({ source: spillSource, writerFor: () => direct });
        // Every write has ended and the faults are off: only the redrive can have added records
        // since `before`, so the stream is read again only when it moved some (~0.1-0.2 s of CPU a read).
        const after = summary.moved === 0 ? before : await collector.records();

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
        const statusCounts = new Map<number, number>();
        for (const answer of client.answers)
          statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
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
          statuses: [...statusCounts]
            .sort(([a], [b]) => a - b)
            .map(([status, count]) => `${status}: ${count}`)
            .join(', '),
          clientRetries: client.retries,
          writerRetries: writes.retries,
          injected: Object.entries(proxy.counts)
            .filter(([name, count]) => name !== 'calls' && count > 0)
            .map(([name, count]) => `${name} ${count}`)
            .concat(
              scenario.stsDown
                ? [`AssumeRole refused ${stsFront.counts.refuse}, failed ${stsFront.counts.fail}`]
                : [],
            )
            .join(', '),
        });
        const { expected } = scenario;
        expect(client.acknowledgedBeforeDurable).toEqual([]);
        expect(writesStillRunning).toBe(0);
        expect(client.gaveUp).toBe(0);
        expect(lost).toEqual([]);
        expect(summary.failed).toBe(0);
        expect(copies.size).toBe(sent.length);
        expect(unexplained).toEqual([]);
        expect([...statusCounts.keys()].filter((status) => !expected.statuses.includes(status))).toEqual([]);
        for (const status of expected.mustSee ?? []) expect(statusCounts.get(status) ?? 0).toBeGreaterThan(0);
        if (expected.writerRetries ?? true) expect(writes.retries).toBeGreaterThan(0);
        if (expected.maxSpilledShare !== undefined)
          expect(spilled).toBeLessThanOrEqual(Math.ceil(expected.maxSpilledShare * sent.length));
        if (expected.spills) expect(spilled).toBeGreaterThan(0);
        if (expected.no429AtOrAbove !== undefined) {
          const minimum = expected.no429AtOrAbove;
          expect(client.answers.filter((a) => a.status === 429 && a.events >= minimum)).toEqual([]);
        }
        if (scenario.stsDown) {
          expect(stsFront.counts.refuse).toBeGreaterThan(0);
          expect(stsFront.counts.fail).toBeGreaterThan(0);
          expect(stsFront.counts.pass).toBeGreaterThan(0);
        }
      } finally {
        clearTimeout(timer);
        sqsClient.destroy();
        await collector.stop();
        await proxy.stop();
        await stsFront.stop();
      }
    },
    60_000,
  );
});
