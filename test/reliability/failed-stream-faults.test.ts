import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { FileSpillStore } from '../../lambda/delivery/file-spill-store';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { withSpill } from '../../lambda/delivery/spilling-record-writer';
import { failedSpillDestinationId } from '../../lambda/events/failure-record';
import { createHandler } from '../../lambda/handler';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { emulatorClient, emulatorCredentials } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { RELIABILITY_DOC, replaceDocSection, writeDocs } from '../../reliability/doc-sections';
import { FileSpillSource, readSpillFiles } from '../../tools/redrive/file-spill-source';
import { redrive } from '../../tools/redrive/spill-redrive';
import { type Faults, startFaultProxy } from '../support/fault-proxy';
import { postOverHttp } from '../support/post-over-http';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

const KEY = 'failed-faults-key';
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

interface Planned {
  readonly body: string;
  readonly valid: readonly string[];
  readonly refused: readonly string[];
}

/** Batches of 2-20 events, about one in four refused (no user or anonymous id); some batches all refused. */
function plan(row: number, requests: number): Planned[] {
  let n = 0;
  return Array.from({ length: requests }, (_, index) => {
    const allRefused = index % 10 === 9;
    const batch = Array.from({ length: 2 + Math.floor(Math.random() * 19) }, () => {
      const refused = allRefused || Math.random() < 0.25;
      const messageId = `r${row}-${n++}${refused ? '-refused' : ''}`;
      return refused
        ? { type: 'track', messageId, event: 'Order Completed' }
        : { type: 'track', messageId, userId: `user-${n % 40}`, event: 'Order Completed' };
    });
    return {
      body: JSON.stringify({ batch }),
      valid: batch.filter((e) => 'userId' in e).map((e) => e.messageId),
      refused: batch.filter((e) => !('userId' in e)).map((e) => e.messageId),
    };
  });
}

/** An SDK-like client: 200 and 400 are final (400: nothing valid, all kept), 429/503/network retried. */
async function sendAll(url: string, requests: readonly Planned[], concurrency: number) {
  const statuses = new Map<number, number>();
  let retries = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as Planned;
      for (let attempt = 0; ; attempt++) {
        let status = -1;
        try {
          const response = await postOverHttp(
            `${url}/v1/batch`,
            { authorization: basic, 'content-type': 'application/json' },
            request.body,
            agent,
          );
          status = response.status;
          await response.body;
        } catch {}
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200 || status === 400) break;
        if (![429, 503, -1].includes(status)) throw new Error(`answered ${status}`);
        if (attempt >= 80) throw new Error('gave up after 80 attempts');
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
  return { statuses, retries };
}

interface Scenario {
  readonly name: string;
  readonly faults: Faults;
  /** Faults on only for the first `forMs` of the run. */
  readonly forMs?: number;
  readonly spill?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'failed stream: per-record ProvisionedThroughputExceeded, 50% of records',
    faults: { recordThrottle: 0.5 },
  },
  { name: 'failed stream: whole-call throttling, 40% of calls', faults: { callThrottle: 0.4 } },
  {
    name: 'failed stream down for 1.5 s (every call 500), no spill',
    faults: { serverError: 1 },
    forMs: 1500,
  },
  {
    name: 'failed stream down for 1.5 s (every call 500), file spill',
    faults: { serverError: 1 },
    forMs: 1500,
    spill: true,
  },
];

interface Row {
  readonly fault: string;
  readonly valid: number;
  readonly refused: number;
  readonly inMain: number;
  readonly inFailed: number;
  readonly spilled: number;
  readonly lost: number;
  readonly statuses: string;
  readonly injected: string;
}
const rows: Row[] = [];

describe('faults on the failed-events stream: every valid event in the main stream, every refused one in the failed stream', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failed-faults-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    const table = [
      '| fault | valid events sent | refused events sent | valid in main stream | refused in failed stream | failure records spilled | events lost | answers | injected |',
      '|---|---:|---:|---:|---:|---:|---:|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.fault} | ${r.valid} | ${r.refused} | ${r.inMain} | ${r.inFailed} | ${r.spilled} | **${r.lost}** | ${r.statuses} | ${r.injected} |`,
      ),
    ].join('\n');
    if (writeDocs() && rows.length === SCENARIOS.length)
      replaceDocSection(RELIABILITY_DOC, 'failed-stream-matrix', table);
  });

  it.each(SCENARIOS.map((scenario, index) => [scenario.name, scenario, index] as const))(
    '%s: nothing lost',
    async (_, scenario, index) => {
      // Prepare: main stream direct, failed stream behind a fault proxy, the real handler over HTTP.
      const kinesisServer = await startTestKinesis();
      const kinesis = emulatorClient(kinesisServer.endpoint, 'us-east-1');
      await ensureStream(kinesis, 'events', 2);
      await ensureStream(kinesis, 'events-failed', 2);
      const proxy = await startFaultProxy();
      proxy.upstream = kinesisServer.endpoint;
      const config = parseRuntimeConfig({
        sources: [{ id: 'web', writeKeys: [KEY], destinations: ['d'] }],
        destinations: [
          {
            id: 'd',
            streamName: 'events',
            failedStreamName: 'events-failed',
            region: 'us-east-1',
            endpoint: kinesisServer.endpoint,
            credentials: emulatorCredentials(),
          },
        ],
        delivery: { budgetMs: 1000, baseDelayMs: 10, maxDelayMs: 100, retryAfterSeconds: 1 },
      });
      const destination = config.destinations[0] as (typeof config.destinations)[number];
      const writerOf = (endpoint: string, streamName: string): RecordWriter =>
        new KinesisRecordWriter({
          client: createKinesisClient({ ...destination, endpoint }),
          streamName,
          backoff: config.delivery,
        });
      const spillDir = join(dir, `row-${index}`);
      const failedId = failedSpillDestinationId('d');
      const failedWriter = withSpill(
        writerOf(proxy.url, 'events-failed'),
        failedId,
        scenario.spill ? new FileSpillStore(spillDir) : undefined,
        { spillReserveMs: 300 },
      );
      const handler = createHandler({
        config,
        writers: new Map([['d', writerOf(kinesisServer.endpoint, 'events')]]),
        failedWriters: new Map([['d', failedWriter]]),
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      });
      const collector = await startApiGatewayServer({ handler, port: 0, timeoutMs: 10_000 });
      proxy.faults = scenario.faults;
      const timer =
        scenario.forMs === undefined
          ? undefined
          : setTimeout(() => {
              proxy.faults = {};
            }, scenario.forMs);
      try {
        // Act: ~600 events in 60 batches, 6 at a time, each retried until answered 200 or 400.
        const requests = plan(index, 60);
        const client = await sendAll(collector.url, requests, 6);
        clearTimeout(timer);
        proxy.faults = {};
        const spilled = scenario.spill
          ? (await readSpillFiles(spillDir)).reduce((sum, file) => sum + file.records.length, 0)
          : 0;
        if (scenario.spill) {
          const redriven = await redrive({
            source: new FileSpillSource(spillDir),
            writerFor: (id) =>
              id === failedId ? writerOf(kinesisServer.endpoint, 'events-failed') : undefined,
          });
          expect(redriven.failed).toBe(0);
        }

        // Assess: each valid event in the main stream, each refused one kept, never in the wrong stream.
        const main = new Set((await readAllRecords(kinesis, 'events')).map((r) => String(r.json.event_id)));
        const failed = new Set(
          (await readAllRecords(kinesis, 'events-failed')).map((r) => String(r.json.event_id)),
        );
        const valid = requests.flatMap((r) => r.valid);
        const refused = requests.flatMap((r) => r.refused);
        const lost = [...valid.filter((id) => !main.has(id)), ...refused.filter((id) => !failed.has(id))];
        rows.push({
          fault: scenario.name,
          valid: valid.length,
          refused: refused.length,
          inMain: valid.filter((id) => main.has(id)).length,
          inFailed: refused.filter((id) => failed.has(id)).length,
          spilled,
          lost: lost.length,
          statuses: [...client.statuses]
            .sort(([a], [b]) => a - b)
            .map(([status, count]) => `${status === -1 ? 'reset' : status} ×${count}`)
            .join(', '),
          injected: Object.entries(proxy.counts)
            .filter(([name, count]) => name !== 'calls' && count > 0)
            .map(([name, count]) => `${name} ${count}`)
            .join(', '),
        });
        expect(lost).toEqual([]);
        expect(refused.filter((id) => main.has(id))).toEqual([]);
        expect(valid.filter((id) => failed.has(id))).toEqual([]);
        // Down without a spill store: the refused events could not be kept, so the answers were 503.
        if (scenario.spill) expect(spilled).toBeGreaterThan(0);
        else if (scenario.forMs !== undefined) expect(client.statuses.get(503) ?? 0).toBeGreaterThan(0);
      } finally {
        clearTimeout(timer);
        await collector.close();
        await proxy.stop();
        kinesis.destroy();
        await kinesisServer.stop();
      }
    },
    60_000,
  );
});
