/**
 * `npm run bench`: the performance benchmark of issue 7, on loopback in one process tree.
 * A whole run writes bench/results/latest.json (raw results) and docs/benchmarks.md (the report,
 * bench/report.ts + bench/benchmarks.template.md). Knobs (environment, bench/knobs.ts): sizes
 * (BENCH_ROUNDS, BENCH_EVENTS, ...), BENCH_ONLY=<sections> for a partial run (written under
 * .bench/partial/, never over the published figures), BENCH_REPORT_ONLY=1 to rewrite the report
 * from the last results without measuring.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { measureAggregation } from './aggregation';
import { forkBenchChild } from './child';
import { BUNDLE_VARIANTS, type BundleResult, bundle, timeLoads } from './cold-start';
import { type CostInput, costPerMillionEvents, PRICES } from './cost';
import { measureDedup } from './dedup';
import { measureEnrichment } from './enrichment';
import { batchBody, EVENT_BYTES, trackEvents } from './events';
import { recreateStream } from './kinesis-io';
import { type BenchSection, readKnobs, selectSections } from './knobs';
import { measureLambdaColdStarts } from './lambda-cold-start';
import { describeCommit, describeMachine } from './machine';
import { measureMemory } from './memory';
import { measurePlanValidation } from './plan-validation';
import { type BenchResults, writeReport } from './report';
import { startRig } from './rig';
import { summarise } from './stats';
import { measureLatency, type Rig, type RunResult, runScenario, scenarios } from './throughput';
import { measureTypicalEvents, typicalEventCosts } from './typical-events';

const ROOT = resolve(__dirname, '..');
const PUBLISHED = { results: join(ROOT, 'bench', 'results'), report: join(ROOT, 'docs') };
const PARTIAL = join(ROOT, '.bench', 'partial');
const KNOBS = readKnobs(process.env);
const ROUNDS = KNOBS.BENCH_ROUNDS;
const EVENTS = KNOBS.BENCH_EVENTS;
const PER_EVENT = KNOBS.BENCH_PER_EVENT;
const LOAD_RUNS = KNOBS.BENCH_LOAD_RUNS;
const COLD_START_RUNS = KNOBS.BENCH_COLD_START_RUNS;
const WARM_INVOCATIONS = KNOBS.BENCH_WARM_INVOCATIONS;
const ONLY = selectSections(process.env.BENCH_ONLY);
const CONCURRENCY = 8;
const SHARDS = 2;
const MEMORY_MB = 256;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const selected = (section: BenchSection) =>
  (ONLY === undefined || ONLY.includes(section)) && (section !== 'cold-start' || COLD_START_RUNS > 0);

/** `BENCH_REPORT_ONLY=1`: docs/benchmarks.md again from bench/results/latest.json, nothing measured. */
function reportOnly(): void {
  const results = JSON.parse(readFileSync(join(PUBLISHED.results, 'latest.json'), 'utf8')) as BenchResults;
  writeFileSync(join(PUBLISHED.report, 'benchmarks.md'), writeReport(results));
  log('docs/benchmarks.md written from bench/results/latest.json');
}

async function measureThroughput(rig: Rig) {
  const list = scenarios({ batched: EVENTS, perEvent: PER_EVENT });
  const runs: RunResult[] = [];
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
  const recordBytes = summarise(
    runs.filter((run) => run.scenario.startsWith('ours')).map((run) => run.verification.meanRecordBytes),
  ).median;
  const described = list.map((scenario) => ({
    id: scenario.id,
    description: scenario.description,
    events: scenario.events,
  }));
  return { scenarios: described, runs, recordBytes };
}

async function measureLatencies(rig: Rig) {
  return [
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
}

async function measureMemories(rig: Rig, deployed: BundleResult) {
  const memoryStream = 'bench-memory';
  await recreateStream(rig.client, memoryStream, SHARDS);
  return measureMemory(deployed.path, rig.endpoint, memoryStream, [
    {
      id: '500kb',
      label: '500 KB batch (500 events, default limit)',
      events: 500,
      maxRequestBytes: 500 * 1024,
      sourceMaps: true,
    },
    {
      id: '6mb',
      label: '6 MB request (5,990 events; maxRequestBytes raised to 6 MiB)',
      events: 5_990,
      maxRequestBytes: 6 * 1024 * 1024,
      sourceMaps: true,
    },
    {
      id: '6mb-no-source-maps',
      label: '6 MB request, without --enable-source-maps',
      events: 5_990,
      maxRequestBytes: 6 * 1024 * 1024,
      sourceMaps: false,
    },
  ]);
}

/** The cost table's rows, priced with the measured handler durations (latency) and record size. */
function costs(latency: Awaited<ReturnType<typeof measureLatencies>>, recordBytes: number) {
  const durationOf = (label: string) =>
    latency.find((entry) => entry.label.startsWith(label))?.handlerMs.p50 ?? Number.NaN;
  const inputs: Omit<CostInput, 'memoryMb' | 'recordBytes'>[] = [
    {
      id: 'http-api-1',
      label: 'HTTP API + our Lambda, 1 event/request',
      front: 'http-api',
      eventsPerRequest: 1,
      durationMs: durationOf('ours, 1 event'),
    },
    {
      id: 'http-api-20',
      label: 'HTTP API + our Lambda, 20 events/request',
      front: 'http-api',
      eventsPerRequest: 20,
      durationMs: durationOf('ours, 20 events'),
    },
    {
      id: 'rest-api-1',
      label: 'REST API + our Lambda, 1 event/request',
      front: 'rest-api',
      eventsPerRequest: 1,
      durationMs: durationOf('ours, 1 event'),
    },
    {
      id: 'rest-api-20',
      label: 'REST API + our Lambda, 20 events/request',
      front: 'rest-api',
      eventsPerRequest: 20,
      durationMs: durationOf('ours, 20 events'),
    },
    {
      id: 'http-api-put-record-20',
      label: 'HTTP API + Lambda with per-event PutRecord, 20 events/request',
      front: 'http-api',
      eventsPerRequest: 20,
      durationMs: durationOf('per-event PutRecord'),
    },
  ];
  return inputs.map((input) => costPerMillionEvents({ ...input, memoryMb: MEMORY_MB, recordBytes }));
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (process.env.BENCH_REPORT_ONLY === '1') return reportOnly();
  const started = new Date();
  const machineBefore = describeMachine();
  log(`machine: ${machineBefore.nproc} CPUs, load ${machineBefore.loadAverage.join(' ')}`);
  if (ONLY !== undefined) log(`partial run: ${ONLY.join(', ')} (written under .bench/partial/)`);

  const sectionSeconds: Record<string, number> = {};
  /** Runs one section's measurement when it is selected, logging what it does and timing it. */
  async function measure<T>(
    section: BenchSection,
    what: string,
    task: () => Promise<T> | T,
  ): Promise<T | undefined> {
    if (!selected(section)) return undefined;
    log(what);
    const start = Date.now();
    try {
      return await task();
    } finally {
      sectionSeconds[section] = (sectionSeconds[section] ?? 0) + (Date.now() - start) / 1000;
    }
  }

  let bundles: BundleResult[] | undefined;
  if (selected('bundles') || selected('memory')) {
    log('section 5: bundling lambda/index.ts as NodejsFunction does');
    bundles = [];
    for (const variant of BUNDLE_VARIANTS) bundles.push(await bundle(variant));
  }

  const needsRig = (['throughput', 'latency', 'aggregation', 'memory', 'dedup'] as const).some(selected);
  const rig = needsRig ? await startRig({ concurrency: CONCURRENCY, shards: SHARDS }) : undefined;
  try {
    const throughput =
      rig && (await measure('throughput', 'sections 1-3: throughput', () => measureThroughput(rig)));
    const latency =
      rig &&
      (await measure('latency', 'handler durations, one request at a time', () => measureLatencies(rig)));
    const cpu = await measure('cpu', 'section 4: handler CPU per event (fresh process)', async () => {
      const cpuChild = forkBenchChild('handler-cpu.ts');
      const measured = await cpuChild.next<{ results: Record<string, number[]>; bodyBytes: number }>(
        'result',
      );
      await cpuChild.stop();
      return { bodyBytes: measured.bodyBytes, microsPerEvent: measured.results };
    });
    const aggregation =
      rig &&
      (await measure(
        'aggregation',
        'section 8: record aggregation (plain vs KPL aggregated, same events)',
        () =>
          measureAggregation({
            endpoint: rig.endpoint,
            client: rig.client,
            events: EVENTS,
            shards: SHARDS,
            concurrency: CONCURRENCY,
          }),
      ));
    const loads =
      bundles &&
      (await measure('bundles', 'section 5: load times (fresh node processes)', () =>
        timeLoads(bundles, LOAD_RUNS),
      ));
    const memory =
      rig &&
      bundles &&
      (await measure('memory', 'section 6: peak RSS (fresh node processes)', () =>
        measureMemories(rig, bundles.find((entry) => entry.variant === 'all-bundled') as BundleResult),
      ));
    const recordBytes = throughput?.recordBytes;
    const typicalEvents =
      latency === undefined
        ? undefined
        : await measure(
            'typical-events',
            'section 7: typical SDK events through the ingest use case',
            async () =>
              typicalEventCosts(await measureTypicalEvents(), {
                eventsPerRequest: 20,
                durationMs:
                  latency.find((entry) => entry.label.startsWith('ours, 20 events'))?.handlerMs.p50 ??
                  Number.NaN,
                memoryMb: MEMORY_MB,
              }),
          );
    const lambdaColdStart =
      recordBytes === undefined
        ? undefined
        : await measure(
            'cold-start',
            'section 9: the cloud-assembly bundle under aws-lambda-ric on Node 24, by memory size',
            () =>
              measureLambdaColdStarts({
                runs: COLD_START_RUNS,
                warmInvocations: WARM_INVOCATIONS,
                recordBytes,
                log,
              }),
          );
    const planValidation = await measure(
      'plan-validation',
      'section 10: tracking-plan validation cost per event (fresh process)',
      measurePlanValidation,
    );

    const dedup =
      rig &&
      (await measure('dedup', 'section 11: deduplication by messageId (dynalite seen store)', () =>
        measureDedup({ endpoint: rig.endpoint, client: rig.client, requests: 200, eventsPerRequest: 20 }),
      ));

    const enrichment = await measure(
      'enrichment',
      'section 12: enrichment (bot, geo, device) cost per event (fresh process)',
      measureEnrichment,
    );

    const defaults = parseRuntimeConfig(localCollectorConfig(localModeSettings({}), 'http://127.0.0.1:9'));
    const results: BenchResults = {
      command: ONLY === undefined ? 'npm run bench' : `BENCH_ONLY=${ONLY.join(',')} npm run bench`,
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
        batchBytes: Buffer.byteLength(batchBody(trackEvents(500, 'size'))),
        maxRequestBytes: defaults.limits.maxRequestBytes,
      },
      ...(ONLY === undefined ? {} : { only: ONLY }),
      ...(throughput === undefined ? {} : { scenarios: throughput.scenarios, runs: throughput.runs }),
      latency,
      cpu,
      bundles,
      loads,
      memory,
      recordBytes,
      prices: PRICES,
      costs:
        selected('cost') && latency !== undefined && recordBytes !== undefined
          ? costs(latency, recordBytes)
          : undefined,
      typicalEvents,
      aggregation,
      lambdaColdStart,
      planValidation,
      dedup,
      enrichment,
      sectionSeconds,
    };
    const out = ONLY === undefined ? PUBLISHED : { results: PARTIAL, report: PARTIAL };
    mkdirSync(out.results, { recursive: true });
    mkdirSync(out.report, { recursive: true });
    writeFileSync(join(out.results, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(out.report, 'benchmarks.md'), writeReport(results));
    log(
      `done in ${Math.round(results.durationSeconds)} s: ${join(out.report, 'benchmarks.md')}, ${join(out.results, 'latest.json')}`,
    );
  } finally {
    await rig?.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
