/**
 * `npm run soak [-- --duration 60 --concurrency 32 --no-docs]`: the local path under sustained load.
 * Kinesalite and the collector (its real entry, `createCollector`) run as child processes, as with
 * `npm start`; this process sends mixed single and batch requests from many write keys as fast as
 * the path answers (closed loop, `--concurrency` requests in flight), retrying 429/503 like an SDK.
 * Then it reads the whole stream back and counts every event by `event_id`: zero lost is the bar.
 * Prints and writes (unless `--no-docs`) the figures to docs/reliability.md: rate, p50/p99 latency,
 * the collector's RSS each second and a stability verdict.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { startKinesisEmulator } from '../local/kinesis-emulator';
import { emulatorClient } from '../local/local-mode';
import { ensureStream } from '../local/streams';
import { RELIABILITY_DOC, replaceDocSection } from './doc-sections';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    keys: { type: 'string', default: '20' },
    'no-docs': { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(values.duration);
const CONCURRENCY = Number(values.concurrency);
const KEYS = Array.from({ length: Number(values.keys) }, (_, i) => `soak-key-${i}`);
const STREAM = `soak-${Date.now()}`;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function startCollector(config: unknown): Promise<{ url: string; pid: number; stop(): void }> {
  const child = fork(resolve(__dirname, 'soak-collector.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      SOAK_COLLECTOR_CONFIG: JSON.stringify(config),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    child.once('message', (message: { url?: string; error?: string }) =>
      message.url
        ? done({ url: message.url, pid: child.pid as number, stop: () => child.kill('SIGTERM') })
        : fail(new Error(`collector did not start: ${message.error}`)),
    );
    child.once('exit', (code) => fail(new Error(`collector exited with code ${code}`)));
  });
}

/** The resident set size of a process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const emulator = await startKinesisEmulator({ port: 0 });
  const kinesis = emulatorClient(emulator.endpoint, 'us-east-1');
  await ensureStream(kinesis, STREAM, 4);
  const collector = await startCollector({
    sources: KEYS.map((key, i) => ({ id: `source-${i}`, writeKeys: [key], destinations: ['local'] })),
    destinations: [
      {
        id: 'local',
        streamName: STREAM,
        region: 'us-east-1',
        endpoint: emulator.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
    ],
  });

  const acked = new Set<string>();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let requests = 0;
  let sequence = 0;
  const rss: { second: number; mb: number }[] = [];
  const started = Date.now();
  const endAt = started + DURATION_S * 1000;
  const sampler = setInterval(() => {
    rss.push({ second: Math.round((Date.now() - started) / 1000), mb: rssMb(collector.pid) });
    if (process.stderr.isTTY) {
      const elapsed = (Date.now() - started) / 1000;
      process.stderr.write(
        `\rsoak: ${elapsed.toFixed(0)}/${DURATION_S} s, ${acked.size} events, ${(acked.size / elapsed).toFixed(0)} events/s, RSS ${rss.at(-1)?.mb.toFixed(0)} MB   `,
      );
    }
  }, 1000);

  const worker = async (w: number) => {
    while (Date.now() < endAt) {
      const key = KEYS[(w + requests) % KEYS.length] as string;
      const batch = Math.random() < 0.7 ? 1 : 10 + Math.floor(Math.random() * 41);
      const events = Array.from({ length: batch }, () => ({
        type: 'track',
        messageId: `soak-${process.pid}-${sequence++}`,
        userId: `user-${Math.floor(Math.random() * 10_000)}`,
        event: 'Product Viewed',
        properties: { sku: `sku-${Math.floor(Math.random() * 1000)}`, price: 19.99, currency: 'EUR' },
        context: { page: { path: '/p/123', url: 'https://shop.example.com/p/123' }, userAgent: 'soak' },
      }));
      const body = batch === 1 ? JSON.stringify(events[0]) : JSON.stringify({ batch: events });
      const path = batch === 1 ? '/v1/track' : '/v1/batch';
      for (let attempt = 0; attempt < 20; attempt++) {
        const t0 = performance.now();
        let status = -1;
        try {
          const response = await fetch(`${collector.url}${path}`, {
            method: 'POST',
            headers: { authorization: basic(key), 'content-type': 'application/json' },
            body,
          });
          status = response.status;
          await response.arrayBuffer();
        } catch {
          status = -1;
        }
        latencies.push(performance.now() - t0);
        requests++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) {
          for (const event of events) acked.add(event.messageId);
          break;
        }
        await sleep(50 + Math.random() * 100);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  clearInterval(sampler);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const elapsedS = (Date.now() - started) / 1000;

  // Count every event in the stream by event_id.
  const inStream = new Map<string, number>();
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: STREAM }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: STREAM,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const id = String(
          (JSON.parse(Buffer.from(record.Data ?? []).toString('utf8')) as { event_id: string }).event_id,
        );
        inStream.set(id, (inStream.get(id) ?? 0) + 1);
      }
      // kinesalite always says MillisBehindLatest 0: read until a page comes back empty.
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  collector.stop();
  kinesis.destroy();
  await emulator.stop();

  const lost = [...acked].filter((id) => !inStream.has(id)).length;
  const duplicates = [...inStream.values()].reduce((sum, n) => sum + n - 1, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  // V8's heap grows and is collected in a sawtooth: compare the floors (post-GC minimums) of the
  // first and last thirds after warm-up, and the trend of the per-third floors.
  const warm = rss.filter((s) => s.second >= Math.min(10, DURATION_S / 3));
  const third = Math.max(1, Math.floor(warm.length / 3));
  const floors = [0, 1, 2].map((i) =>
    Math.min(...warm.slice(i * third, i === 2 ? undefined : (i + 1) * third).map((s) => s.mb)),
  );
  const [firstFloor = 0, , lastFloor = 0] = floors;
  const mbPerMin =
    slope(floors.map((y, i) => ({ x: ((i + 0.5) * third * DURATION_S) / Math.max(1, rss.length), y }))) * 60;
  const stable = lastFloor <= firstFloor * 1.1 + 10;
  const statusText = [...statuses].map(([s, n]) => `${s === -1 ? 'network error' : s}: ${n}`).join(', ');
  const report = [
    `Run: \`npm run soak -- --duration ${DURATION_S} --concurrency ${CONCURRENCY}\` (${KEYS.length} write keys, 70% single events on /v1/track, 30% batches of 10-50 on /v1/batch; kinesalite and the collector each in their own process; ${new Date().toISOString().slice(0, 10)}).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| duration | ${elapsedS.toFixed(1)} s |`,
    `| requests | ${requests} (${(requests / elapsedS).toFixed(0)} requests/s) |`,
    `| events acknowledged (200) | ${acked.size} (${(acked.size / elapsedS).toFixed(0)} events/s) |`,
    `| answers | ${statusText} |`,
    `| latency p50 / p99 / max | ${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.99).toFixed(1)} / ${(sorted.at(-1) ?? 0).toFixed(1)} ms |`,
    `| events in the stream (unique event_id) | ${inStream.size} |`,
    `| duplicates in the stream | ${duplicates} |`,
    `| **events lost** (acknowledged but not in the stream) | **${lost}** |`,
    `| collector RSS start / peak / end | ${rss[0]?.mb.toFixed(0)} / ${Math.max(...rss.map((s) => s.mb)).toFixed(0)} / ${rss.at(-1)?.mb.toFixed(0)} MB |`,
    `| RSS floor (post-GC minimum) per third after warm-up | ${floors.map((f) => f.toFixed(0)).join(' / ')} MB (trend ${mbPerMin.toFixed(2)} MB/min) |`,
    `| memory verdict | ${stable ? 'stable (no growth trend)' : 'GROWING: investigate'} |`,
    '',
    `RSS each second (MB): ${rss.map((s) => s.mb.toFixed(0)).join(' ')}`,
  ].join('\n');
  console.log(report);
  if (!values['no-docs']) replaceDocSection(RELIABILITY_DOC, 'soak', report);
  process.exit(lost === 0 && stable ? 0 : 1);
}

main().catch((error: Error) => {
  console.error(`soak: ${error.stack ?? error.message}`);
  process.exit(1);
});
