/**
 * `npm run bench`: the performance benchmark of issue 7, on loopback in one process tree.
 * Writes bench/results/latest.json (raw results) and docs/benchmarks.md (the report).
 * Knobs (env): BENCH_ROUNDS (5), BENCH_EVENTS (10000), BENCH_PER_EVENT (1000), BENCH_LOAD_RUNS (20),
 * BENCH_COLD_START_RUNS (5; 0 skips section 9), BENCH_WARM_INVOCATIONS (20).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { measureAggregation } from './aggregation';
import { forkBenchChild } from './child';
import { BUNDLE_VARIANTS, bundle, timeLoads } from './cold-start';
import { costPerMillionEvents, PRICES } from './cost';
import { EVENT_BYTES } from './events';
import { recreateStream } from './kinesis-io';
import { measureLambdaColdStarts } from './lambda-cold-start';
import { describeCommit, describeMachine } from './machine';
import { measureMemory } from './memory';
import { type BenchResults, writeReport } from './report';
import { startRig } from './rig';
import { summarise } from './stats';
import { measureLatency, type RunResult, runScenario, scenarios } from './throughput';

const ROOT = resolve(__dirname, '..');
const setting = (name: string, fallback: number) => Number(process.env[name] || fallback);
const ROUNDS = setting('BENCH_ROUNDS', 5);
const EVENTS = setting('BENCH_EVENTS', 10_000);
const PER_EVENT = setting('BENCH_PER_EVENT', 1_000);
const LOAD_RUNS = setting('BENCH_LOAD_RUNS', 20);
const COLD_START_RUNS = setting('BENCH_COLD_START_RUNS', 5);
const WARM_INVOCATIONS = setting('BENCH_WARM_INVOCATIONS', 20);
const CONCURRENCY = 8;
const SHARDS = 2;
const MEMORY_MB = 256;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = new Date();
  const machineBefore = describeMachine();
  log(`machine: ${machineBefore.nproc} CPUs, load ${machineBefore.loadAverage.join(' ')}`);

  log('item 5: bundling lambda/index.ts as NodejsFunction does');
  const bundles = [];
  for (const variant of BUNDLE_VARIANTS) bundles.push(await bundle(variant));

  const rig = await startRig({ concurrency: CONCURRENCY, shards: SHARDS });
  const runs: RunResult[] = [];
  try {
    const list = scenarios({ batched: EVENTS, perEvent: PER_EVENT });
    for (let round = 0; round <= ROUNDS; round++) {
      for (const scenario of list) {
        const events = round === 0 ? Math.max(100, Math.round(scenario.events / 5)) : scenario.events;
        const result = await runScenario(rig, scenario, round, events);
        if (!result.verification.exactlyOnce) {
          throw new Error(
            `${scenario.id} round ${round}: stream check failed ${JSON.stringify(result.verification)}`,
          );
        }
        if (round > 0) runs.push(result);
        log(
          `round ${round} ${scenario.id}: ${Math.round(result.eventsPerSecond)} events/s, verified exactly once`,
        );
      }
    }

    log('handler durations, one request at a time');
    const latency = [
      await measureLatency(rig, 'ours, 1 event per request (/v1/track)', rig.collector, 1, 200),
      await measureLatency(rig, 'ours, 20 events per request', rig.collector, 20, 100),
      await measureLatency(rig, 'ours, 500 events per request', rig.collector, 500, 20),
      await measureLatency(
        rig,
        'per-event PutRecord writer, 20 events per request',
        rig.putRecordCollector,
        20,
        100,
      ),
    ];

    log('item 4: handler CPU per event (fresh process)');
    const cpuChild = forkBenchChild('handler-cpu.ts');
    const cpu = await cpuChild.next<{ results: Record<string, number[]>; bodyBytes: number }>('result');
    await cpuChild.stop();

    log('item 8: record aggregation (plain vs KPL aggregated, same events)');
    const aggregation = await measureAggregation({
      endpoint: rig.endpoint,
      client: rig.client,
      events: EVENTS,
      shards: SHARDS,
      concurrency: CONCURRENCY,
    });

    log('item 5: load times (fresh node processes)');
    const loads = timeLoads(bundles, LOAD_RUNS);

    log('item 6: peak RSS (fresh node processes)');
    const memoryStream = 'bench-memory';
    await recreateStream(rig.client, memoryStream, SHARDS);
    const memory = await measureMemory(bundles[0]?.path as string, rig.endpoint, memoryStream, [
      {
        label: '500 KB batch (500 events, default limit)',
        events: 500,
        maxRequestBytes: 500 * 1024,
        sourceMaps: true,
      },
      {
        label: '6 MB request (5,990 events; maxRequestBytes raised to 6 MiB)',
        events: 5_990,
        maxRequestBytes: 6 * 1024 * 1024,
        sourceMaps: true,
      },
      {
        label: '6 MB request, without --enable-source-maps',
        events: 5_990,
        maxRequestBytes: 6 * 1024 * 1024,
        sourceMaps: false,
      },
    ]);

    const recordBytes = summarise(
      runs.filter((run) => run.scenario.startsWith('ours')).map((run) => run.verification.meanRecordBytes),
    ).median;
    const durationOf = (label: string) =>
      latency.find((entry) => entry.label.startsWith(label))?.handlerMs.p50 ?? Number.NaN;
    const costInputs = [
      {
        label: 'HTTP API + our Lambda, 1 event/request',
        front: 'http-api' as const,
        eventsPerRequest: 1,
        durationMs: durationOf('ours, 1 event'),
      },
      {
        label: 'HTTP API + our Lambda, 20 events/request',
        front: 'http-api' as const,
        eventsPerRequest: 20,
        durationMs: durationOf('ours, 20 events'),
      },
      {
        label: 'REST API + our Lambda, 1 event/request',
        front: 'rest-api' as const,
        eventsPerRequest: 1,
        durationMs: durationOf('ours, 1 event'),
      },
      {
        label: 'REST API + our Lambda, 20 events/request',
        front: 'rest-api' as const,
        eventsPerRequest: 20,
        durationMs: durationOf('ours, 20 events'),
      },
      {
        label: 'HTTP API + Lambda with per-event PutRecord, 20 events/request',
        front: 'http-api' as const,
        eventsPerRequest: 20,
        durationMs: durationOf('per-event PutRecord'),
      },
    ];
    log('section 9: the cloud-assembly bundle under aws-lambda-ric on Node 24, by memory size');
    const lambdaColdStart =
      COLD_START_RUNS > 0
        ? await measureLambdaColdStarts({
            runs: COLD_START_RUNS,
            warmInvocations: WARM_INVOCATIONS,
            recordBytes,
            log,
          })
        : undefined;

    const costs = costInputs.map((input) =>
      costPerMillionEvents({ ...input, memoryMb: MEMORY_MB, recordBytes }),
    );

    const results: BenchResults = {
      command: 'npm run bench',
      date: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      commit: describeCommit(),
      machine: { before: machineBefore, after: describeMachine() },
      settings: {
        rounds: ROUNDS,
        events: EVENTS,
        perEvent: PER_EVENT,
        concurrency: CONCURRENCY,
        shards: SHARDS,
        eventBytes: EVENT_BYTES,
        loadRuns: LOAD_RUNS,
        memoryMb: MEMORY_MB,
      },
      scenarios: list.map((scenario) => ({
        id: scenario.id,
        description: scenario.description,
        events: scenario.events,
      })),
      runs,
      latency,
      cpu: { bodyBytes: cpu.bodyBytes, microsPerEvent: cpu.results },
      bundles,
      loads,
      memory,
      recordBytes,
      prices: PRICES,
      costs,
      aggregation,
      lambdaColdStart,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), writeReport(results));
    log(`done in ${Math.round(results.durationSeconds)} s: docs/benchmarks.md, bench/results/latest.json`);
  } finally {
    await rig.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
