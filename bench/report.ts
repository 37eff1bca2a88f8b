import type { BundleResult, LoadTiming } from './cold-start';
import type { CostRow, PRICES } from './cost';
import type { Machine } from './machine';
import type { MemoryResult } from './memory';
import { type Summary, summarise } from './stats';
import type { LatencyResult, RunResult, ScenarioId } from './throughput';

/** Everything one `npm run bench` measured: bench/results/latest.json. */
export interface BenchResults {
  readonly command: string;
  readonly date: string;
  readonly durationSeconds: number;
  readonly commit: { readonly commit: string; readonly dirty: boolean };
  readonly machine: { readonly before: Machine; readonly after: Machine };
  readonly settings: {
    readonly rounds: number;
    readonly events: number;
    readonly perEvent: number;
    readonly concurrency: number;
    readonly shards: number;
    readonly eventBytes: number;
    readonly loadRuns: number;
    readonly memoryMb: number;
  };
  readonly scenarios: readonly {
    readonly id: ScenarioId;
    readonly description: string;
    readonly events: number;
  }[];
  readonly runs: readonly RunResult[];
  readonly latency: readonly LatencyResult[];
  readonly cpu: { readonly bodyBytes: number; readonly microsPerEvent: Record<string, number[]> };
  readonly bundles: readonly BundleResult[];
  readonly loads: readonly LoadTiming[];
  readonly memory: readonly MemoryResult[];
  readonly recordBytes: number;
  readonly prices: typeof PRICES;
  readonly costs: readonly CostRow[];
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const range = (summary: Summary, format: (value: number) => string = int) =>
  `${format(summary.min)}-${format(summary.max)}`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

function byScenario(results: BenchResults, id: ScenarioId): RunResult[] {
  return results.runs.filter((run) => run.scenario === id);
}

/** Per-round ratio of `id`'s rate to the ceiling's rate in the same round. */
function ratios(results: BenchResults, id: ScenarioId, to: ScenarioId = 'ceiling-putrecords-500'): Summary {
  const base = new Map(byScenario(results, to).map((run) => [run.round, run.eventsPerSecond]));
  return summarise(
    byScenario(results, id).map((run) => run.eventsPerSecond / (base.get(run.round) ?? Number.NaN)),
  );
}

function rate(results: BenchResults, id: ScenarioId): Summary {
  return summarise(byScenario(results, id).map((run) => run.eventsPerSecond));
}

function cpuCell(runs: readonly RunResult[], key: 'bench' | 'emulator' | 'collector'): string {
  const values = runs.map((run) => run.cpuMsPer1000Events[key]).filter((value) => value !== undefined);
  return values.length === 0 ? '-' : int(summarise(values as number[]).median);
}

function throughputTable(results: BenchResults): string[] {
  const lines = [
    '| scenario | events/run | events/s median | min-max | ratio to ceiling (median of rounds) | Kinesis write calls per event | CPU ms per 1,000 events: bench / collector / emulator | every event once |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const scenario of results.scenarios) {
    const runs = byScenario(results, scenario.id);
    const speed = rate(results, scenario.id);
    const ratio = ratios(results, scenario.id);
    const calls = summarise(runs.map((run) => run.writeCallsPerEvent)).median;
    lines.push(
      `| \`${scenario.id}\`: ${scenario.description} | ${int(runs[0]?.events ?? 0)} | ${int(speed.median)} | ${range(speed)} | ${fixed(ratio.median)} (${range(ratio, fixed)}) | ${calls.toFixed(3)} (1/${int(1 / calls)}) | ${cpuCell(runs, 'bench')} / ${cpuCell(runs, 'collector')} / ${cpuCell(runs, 'emulator')} | ${runs.every((run) => run.verification.exactlyOnce) ? `yes, ${runs.length}/${runs.length} rounds` : 'NO'} |`,
    );
  }
  return lines;
}

function cpuTable(results: BenchResults): string[] {
  const micro = results.cpu.microsPerEvent;
  const get = (key: string) => summarise(micro[key] ?? []);
  const bare = get('bareParseStringify').median;
  const rows: [string, string, string][] = [
    [
      'ingestUseCase',
      'ingest use case (validation + envelope + serialisation, stub RecordWriter; input already parsed)',
      'bareStringify',
    ],
    [
      'middyHandler',
      'middy handler, stub RecordWriter (body parse, route, write key, ingest, answer, CORS, logger)',
      'bareParseStringify',
    ],
    [
      'middyHandlerWithSdk',
      'middy handler with the real KinesisRecordWriter + SDK (serialise, SigV4, parse answer), HTTP stubbed',
      'bareParseStringify',
    ],
    ['bareParseStringify', 'bare `JSON.parse(body)` + `JSON.stringify` of each event', 'bareParseStringify'],
    ['bareStringify', 'bare `JSON.stringify` of each (parsed) event', 'bareStringify'],
    ['parseBody', 'part: `JSON.parse` of the 500-event body', 'bareParseStringify'],
    ['validate', 'part: `validateEvent` per event', 'bareParseStringify'],
    ['envelope', 'part: `toEnvelope` per event', 'bareParseStringify'],
    [
      'serialise',
      'part: `TextEncoder.encode(JSON.stringify({...envelope, integration_id}))` per event',
      'bareParseStringify',
    ],
  ];
  const lines = [
    '| what (500-event batch, ~1 KB events) | us/event median | min-max | ratio to bare baseline |',
    '|---|---:|---:|---:|',
  ];
  for (const [key, label, baseline] of rows) {
    const summary = get(key);
    lines.push(
      `| ${label} | ${fixed(summary.median, 1)} | ${range(summary, (value) => fixed(value, 1))} | ${fixed(summary.median / get(baseline).median)}x of \`${baseline}\` |`,
    );
  }
  lines.push('', `Baseline \`bareParseStringify\` = ${fixed(bare, 1)} us/event.`);
  return lines;
}

export function writeReport(results: BenchResults): string {
  const { machine, settings } = results;
  const ceiling = rate(results, 'ceiling-putrecords-500');
  const ours500 = rate(results, 'ours-http-batch-500');
  const ours100 = rate(results, 'ours-http-batch-100');
  const peerPut = rate(results, 'peer-putrecord-per-event');
  const peerHttp = rate(results, 'peer-http-per-event');
  const ratio500 = ratios(results, 'ours-http-batch-500');
  const ratio100 = ratios(results, 'ours-http-batch-100');
  const speedUp = (id: ScenarioId, peer: ScenarioId) => ratios(results, id, peer);
  const calls = (id: ScenarioId) =>
    summarise(byScenario(results, id).map((run) => run.writeCallsPerEvent)).median;
  const micro = (key: string) => summarise(results.cpu.microsPerEvent[key] ?? []).median;
  const bundled = results.bundles[0] as BundleResult;
  const emptyLoad = results.loads[0] as LoadTiming;
  const oursRuns = byScenario(results, 'ours-http-batch-500');
  const collectorCpu = summarise(
    oursRuns.map((run) => run.cpuMsPer1000Events.collector ?? Number.NaN),
  ).median;
  const emulatorCpu = summarise(oursRuns.map((run) => run.cpuMsPer1000Events.emulator)).median;
  const ceilingEmulatorCpu = summarise(
    byScenario(results, 'ceiling-putrecords-500').map((run) => run.cpuMsPer1000Events.emulator),
  ).median;

  const lines: string[] = [
    '# Benchmarks',
    '',
    `Written by \`${results.command}\` (bench/run.ts) on ${results.date} at commit \`${results.commit.commit}\`${results.commit.dirty ? ' (working tree had uncommitted changes by others)' : ''}, in ${int(results.durationSeconds)} s. Raw results: \`bench/results/latest.json\`. Every number below comes from that one run.`,
    '',
    '## Machine',
    '',
    `- \`nproc\`: ${machine.before.nproc}; CPU: ${machine.before.cpuModel}; memory: ${mb(machine.before.memoryBytes)}; Node ${machine.before.node} (${machine.before.os})`,
    `- Load average (1/5/15 min) at start: ${machine.before.loadAverage.join(' / ')}; at end: ${machine.after.loadAverage.join(' / ')}. The machine is shared (other test suites ran at the same time), so absolute rates are lower and noisier than on an idle machine; ratios are taken per round (same conditions) and then the median.`,
    '',
    '## Setup',
    '',
    `- One process tree on loopback: this process (load generator and the plain SDK scripts), the emulator (kinesalite in memory, as \`npm start\` runs it) in **its own child process**, and the collector in a child process the way \`npm start\` runs it: local-mode config in \`COLLECTOR_CONFIG\`, then the deployed entry \`lambda/index.ts\` behind the local API Gateway stand-in (local/local-collector.ts). A second collector process runs the same handler with a one-\`PutRecord\`-per-event writer (bench/put-record-writer.ts), for comparison only.`,
    `- Stream: ${settings.shards} shards (\`npm start\`'s default), deleted and created again before every run. Events: \`track\` events of ${settings.eventBytes} bytes of JSON (a 500-event batch is ${kb(results.cpu.bodyBytes)}, just inside the default 500 KiB \`maxRequestBytes\`; 1,024-byte events would not fit), 1,000 distinct users, partition key \`user\`. Records written are the envelopes, ${int(results.recordBytes)} bytes each (median).`,
    `- Concurrency: **${settings.concurrency} requests (or SDK calls) in flight** in every scenario, over keep-alive connections (several parallel clients or Lambda invocations).`,
    `- ${settings.rounds} measured rounds after one warm-up round (1/5 size, discarded); scenarios interleaved in each round. After every run the whole stream is read back and records are counted by \`event_id\`: a run that loses, duplicates or adds an event stops the benchmark.`,
    '- Kinesis API calls are counted at the emulator (by `X-Amz-Target`), during the timed part only.',
    '',
    '## Headline',
    '',
    `| | events/s (median) | ratio to ceiling | Kinesis write calls per event |`,
    '|---|---:|---:|---:|',
    `| Ceiling: plain SDK, PutRecords x500 | ${int(ceiling.median)} | 1 | ${calls('ceiling-putrecords-500').toFixed(4)} |`,
    `| Ours, HTTP batches of 500 | ${int(ours500.median)} | **${fixed(ratio500.median)}** | ${calls('ours-http-batch-500').toFixed(4)} |`,
    `| Ours, HTTP batches of 100 | ${int(ours100.median)} | **${fixed(ratio100.median)}** | ${calls('ours-http-batch-100').toFixed(4)} |`,
    `| Peer: one PutRecord per event | ${int(peerPut.median)} | ${fixed(ratios(results, 'peer-putrecord-per-event').median)} | ${calls('peer-putrecord-per-event').toFixed(4)} |`,
    `| Peer: one HTTP request per event (analytics-next default) | ${int(peerHttp.median)} | ${fixed(ratios(results, 'peer-http-per-event').median)} | ${calls('peer-http-per-event').toFixed(4)} |`,
    '',
    `- Target ratio >= 0.8: batches of 500 ${ratio500.median >= 0.8 ? 'meet it' : 'miss it'} (${fixed(ratio500.median)}), batches of 100 ${ratio100.median >= 0.8 ? 'meet it' : 'miss it'} (${fixed(ratio100.median)}).`,
    `- Speed-up of our batches of 500 over one PutRecord per event: **${fixed(speedUp('ours-http-batch-500', 'peer-putrecord-per-event').median, 1)}x**; over one HTTP request per event: **${fixed(speedUp('ours-http-batch-500', 'peer-http-per-event').median, 1)}x** (medians of per-round ratios).`,
    `- API calls per event: ${calls('ours-http-batch-500').toFixed(4)} at batch 500 (target <= 1/100 = 0.01), ${calls('ours-http-batch-100').toFixed(4)} at batch 100, vs ${calls('peer-putrecord-per-event').toFixed(0)} for the per-event peers. Note that one HTTP request per event through our collector also makes one (PutRecords) call per event: batching on the client is what saves calls.`,
    `- Handler CPU (item 4): ${fixed(micro('ingestUseCase'), 1)} us/event for the ingest use case, ${fixed(micro('middyHandler'), 1)} us/event for the whole middy handler with I/O stubbed (target <= 20), ${fixed(micro('middyHandler') / micro('bareParseStringify'), 1)}x a bare parse+stringify.`,
    `- Bundle (item 5): ${kb(bundled.bytes)} as deployed today; loads in ${fixed((results.loads[1] as LoadTiming).requireMs.median, 0)} ms (require, median of ${settings.loadRuns}) on top of an empty process' ${fixed(emptyLoad.wallMs.median, 0)} ms.`,
    `- Peak RSS (item 6): ${results.memory.map((entry) => `${mb(entry.peakRssBytes)} for the ${entry.label.split(' (')[0]}`).join(', ')} (target < 128 MB).`,
    '',
    '## 1-3. Throughput: ceiling, our path, peer styles',
    '',
    ...throughputTable(results),
    '',
    `Per-round ratios: batch 500 ${range(ratio500, fixed)}, batch 100 ${range(ratio100, fixed)}.`,
    '',
    '### What limits the ratio',
    '',
    `On this 2-core machine three processes share two cores. The emulator needs ${int(ceilingEmulatorCpu)} ms of CPU per 1,000 records in the ceiling run and ${int(emulatorCpu)} ms in ours (batch 500); the collector process needs ${int(collectorCpu)} ms per 1,000 events on top (HTTP receive, API Gateway event, JSON parse, validation, envelope, serialisation, then the SDK: base64 of every record, JSON of the PutRecords request, SigV4 over the ~${kb(results.recordBytes * 500 * 1.37)} payload). The ceiling script needs only the SDK part. With both processes near one core each, the collector's CPU competes with the emulator's, and the ratio is set by that contention rather than by waiting: item 4 shows how much of the collector's time is our code and how much is the SDK. In AWS the collector's CPU runs in Lambda, not next to Kinesis, so this contention does not exist there.`,
    '',
    '### Handler duration, one request at a time (used by the cost model)',
    '',
    '| request | requests | handler ms p50 | p90 | mean |',
    '|---|---:|---:|---:|---:|',
    ...results.latency.map(
      (entry) =>
        `| ${entry.label} | ${entry.requests} | ${fixed(entry.handlerMs.p50)} | ${fixed(entry.handlerMs.p90)} | ${fixed(entry.handlerMs.mean)} |`,
    ),
    '',
    'These include the round trip to the local emulator (loopback, sub-millisecond network), not the tens of milliseconds a real Kinesis endpoint can take: real durations are longer, and the more so the more sequential or parallel calls a request makes.',
    '',
    '## 4. Handler CPU per event, I/O stubbed (fresh process)',
    '',
    ...cpuTable(results),
    '',
    '## 5. Cold start: bundle size and load time',
    '',
    "Bundled with esbuild exactly as `NodejsFunction` does for lib/constructs/collector-function.ts (`--bundle --platform=node --target=node24 --minify --sourcemap`, CommonJS `index.js`; only the `--external` list varies). Loaded with the deployed function's environment (role ARN, external ID, secret ARN; nothing is fetched at load).",
    '',
    '| variant | index.js | index.js.map | largest parts of index.js |',
    '|---|---:|---:|---|',
    ...results.bundles.map(
      (entry) =>
        `| ${entry.variant} | ${kb(entry.bytes)} | ${kb(entry.sourceMapBytes)} | ${entry.topInputs
          .slice(0, 6)
          .map((input) => `${input.name} ${kb(input.bytes)}`)
          .join(', ')} |`,
    ),
    '',
    `| fresh \`node\` process (median of ${settings.loadRuns}) | wall ms: process start to exit | min-max | \`require\` of the bundle, ms | min-max |`,
    '|---|---:|---:|---:|---:|',
    ...results.loads.map(
      (entry) =>
        `| ${entry.case} | ${fixed(entry.wallMs.median, 0)} | ${range(entry.wallMs)} | ${fixed(entry.requireMs.median, 0)} | ${range(entry.requireMs)} |`,
    ),
    '',
    "With `@aws-sdk/*` external, the SDK is loaded from node_modules here; on Lambda it would be the runtime's copy in /var/runtime, whose version the project does not pin.",
    '',
    '## 6. Memory: peak RSS (fresh `node --enable-source-maps` process, deployed bundle, real writes to the emulator)',
    '',
    '| request | body | RSS after loading the bundle | peak RSS (VmHWM) | target |',
    '|---|---:|---:|---:|---|',
    ...results.memory.map(
      (entry) =>
        `| ${entry.label} | ${kb(entry.bodyBytes)} | ${mb(entry.rssAfterLoadBytes)} | ${mb(entry.peakRssBytes)} | ${entry.peakRssBytes < 128 * 1024 * 1024 ? 'met' : 'missed'} (< 128 MB) |`,
    ),
    '',
    'The 6 MB case raises `limits.maxRequestBytes` to 6 MiB (the default, 500 KiB, would answer 413); the body is generated inside the measured process, as the Lambda runtime also holds the invocation payload.',
    '',
    '## 7. Cost per million events',
    '',
    `Requests to the front door + Lambda requests + Lambda GB-seconds (${settings.memoryMb} MB, arm64, the measured p50 handler duration above rounded up to the next ms) + Kinesis on-demand data in (${int(results.recordBytes)}-byte envelopes, billed as ${Math.ceil(results.recordBytes / 1024)} KB each). Not included: the per-stream hour (fixed, not per event), data retrieval by consumers, CloudWatch Logs, data transfer, free tiers.`,
    '',
    '| front door and writer | events/request | handler ms | front door | Lambda | Kinesis | total per million events |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.costs.map(
      (row) =>
        `| ${row.label} | ${row.eventsPerRequest} | ${fixed(row.durationMs)} | ${usd(row.frontUsd)} | ${usd(row.lambdaUsd)} | ${usd(row.kinesisUsd)} | **${usd(row.totalUsd)}** |`,
    ),
    '',
    '- Per-event `PutRecord` costs the same in Kinesis (on-demand bills data, rounded per record, not calls); it costs more Lambda time per request (one call per event) and, at scale, more calls against per-shard limits. Sent straight from clients it would need AWS credentials in every browser, which is why peers put a collector in front.',
    `- The envelope adds ${int(results.recordBytes - settings.eventBytes)} bytes to a ${settings.eventBytes}-byte event; any record over 1,024 bytes is billed as 2 KB, so for ~1 KB events the Kinesis line is about twice what the raw events would cost.`,
    '',
    `Unit prices (US East (N. Virginia), list prices, no free tier), used on ${results.prices.checked}. The benchmark machine has no network: where a figure could not be read from a stored copy of the AWS page it is marked as known to the author.`,
    '',
    '| price | USD | page | how it was obtained |',
    '|---|---:|---|---|',
    ...Object.entries(results.prices)
      .filter(([key]) => key !== 'checked')
      .map(([key, value]) => {
        const price = value as { usd: number; page: string; source: string };
        return `| ${key} | ${price.usd} | ${price.page} | ${price.source} |`;
      }),
    '',
    '## 8. Record aggregation',
    '',
    'Not measured here: optional KPL aggregation is owned by another change; this benchmark does not cover it.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm install --no-audit --no-fund',
    'npm run bench        # BENCH_ROUNDS, BENCH_EVENTS, BENCH_PER_EVENT, BENCH_LOAD_RUNS to change the sizes',
    '```',
    '',
    `Settings of this run: ${JSON.stringify(settings)}.`,
    '',
  ];
  return lines.join('\n');
}
