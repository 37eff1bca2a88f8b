/**
 * docs/benchmarks.md from one run's results (bench/results/latest.json). The prose lives in
 * bench/benchmarks.template.md; this module only computes the values its `{{section.name}}`
 * placeholders name, one function per section, looking results up by name (scenario id, bundle
 * variant, memory case id, ...), never by position. How to add a section: bench/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AggregationResult } from './aggregation';
import { type BundleResult, type LoadTiming, loadCase } from './cold-start';
import type { CostId, CostRow, PRICES } from './cost';
import type { DedupResult } from './dedup';
import type { EnrichmentCaseId, EnrichmentResult } from './enrichment';
import { knobsMarkdown } from './knobs';
import type { ColdStartResults, ColdStartRow } from './lambda-cold-start';
import type { Machine } from './machine';
import type { MemoryCaseId, MemoryResult } from './memory';
import type { PlanCaseId, PlanValidationResult } from './plan-validation';
import { renderTemplate, type SectionValues } from './render-template';
import { type Summary, summarise } from './stats';
import type { LatencyResult, RunResult, ScenarioId } from './throughput';
import type { TypicalEventCost, TypicalEventId } from './typical-events';

/** What the report reads besides the measurements: the run's sizes and knobs. */
export interface BenchSettings {
  readonly rounds: number;
  readonly events: number;
  readonly perEvent: number;
  readonly concurrency: number;
  readonly shards: number;
  readonly eventBytes: number;
  readonly loadRuns: number;
  readonly memoryMb: number;
  /** Bytes of a 500-event `/v1/batch` body of the benchmark's events. */
  readonly batchBytes: number;
  /** The collector's default `limits.maxRequestBytes`. */
  readonly maxRequestBytes: number;
}

/**
 * Everything one `npm run bench` measured: bench/results/latest.json. Every measured part is
 * optional: a partial run (`BENCH_ONLY`) leaves out what it did not measure, and the report says
 * "Not measured in this run" there.
 */
export interface BenchResults {
  readonly command: string;
  readonly date: string;
  readonly durationSeconds: number;
  readonly commit: { readonly commit: string; readonly dirty: boolean };
  readonly machine: { readonly before: Machine; readonly after: Machine };
  readonly settings: BenchSettings;
  /** The sections this run measured (`BENCH_ONLY`); absent: all. */
  readonly only?: readonly string[];
  readonly scenarios?: readonly {
    readonly id: ScenarioId;
    readonly description: string;
    readonly events: number;
  }[];
  readonly runs?: readonly RunResult[];
  readonly latency?: readonly LatencyResult[];
  readonly cpu?: { readonly bodyBytes: number; readonly microsPerEvent: Record<string, number[]> };
  readonly bundles?: readonly BundleResult[];
  readonly loads?: readonly LoadTiming[];
  readonly memory?: readonly MemoryResult[];
  /** Median bytes of one envelope written by our collector in the throughput runs. */
  readonly recordBytes?: number;
  readonly prices: typeof PRICES;
  readonly costs?: readonly CostRow[];
  /** Section 7: the events real SDKs send, their records and what Kinesis bills for them. */
  readonly typicalEvents?: readonly TypicalEventCost[];
  readonly aggregation?: readonly AggregationResult[];
  /** Section 9: the deployed bundle under the runtime interface client, by memory size. */
  readonly lambdaColdStart?: ColdStartResults;
  /** Section 10: what a tracking plan costs per event (issue 14). */
  readonly planValidation?: PlanValidationResult;
  /** Section 11: deduplication by messageId (issue 34). */
  readonly dedup?: DedupResult;
  /** Section 12: enrichment before redaction (issue 36). */
  readonly enrichment?: EnrichmentResult;
  /** Seconds each section's measurement took (bundling and the emulator's start not included). */
  readonly sectionSeconds?: Readonly<Record<string, number>>;
}

/** Where the report's prose lives. */
export const TEMPLATE_PATH = join(__dirname, 'benchmarks.template.md');

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const range = (summary: Summary, format: (value: number) => string = int) =>
  `${format(summary.min)}-${format(summary.max)}`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;
const ms = (value: number) => (Number.isFinite(value) ? `${int(value)} ms` : 'n/a');
const metOrMissed = (met: boolean) => (met ? 'met' : 'missed');
const table = (head: string, align: string, rows: readonly string[]) => [head, align, ...rows].join('\n');

/** The element of `items` named `name` (by `key`); throws naming what is missing, never guesses. */
function named<T>(items: readonly T[], key: (item: T) => string | undefined, name: string, what: string): T {
  const found = items.find((item) => key(item) === name);
  if (found === undefined) throw new Error(`the results have no ${what} "${name}"`);
  return found;
}

function runSection(results: BenchResults): SectionValues {
  return {
    command: results.command,
    date: results.date,
    commit: results.commit.commit,
    dirty: results.commit.dirty ? ' (the working tree had uncommitted changes)' : '',
    seconds: int(results.durationSeconds),
    resultsFile: results.only === undefined ? 'bench/results/latest.json' : '.bench/partial/latest.json',
    partial:
      results.only === undefined
        ? ''
        : `> Partial run (\`BENCH_ONLY=${results.only.join(',')}\`): the other sections say "Not measured in this run".\n`,
  };
}

function machineSection(results: BenchResults): SectionValues {
  const { before, after } = results.machine;
  const load1 = Math.max(before.loadAverage[0] ?? 0, after.loadAverage[0] ?? 0);
  return {
    nproc: String(before.nproc),
    cpuModel: before.cpuModel,
    memory: mb(before.memoryBytes),
    node: before.node,
    os: before.os,
    loadBefore: before.loadAverage.join(' / '),
    loadAfter: after.loadAverage.join(' / '),
    caution:
      load1 > before.nproc
        ? `> **Caution:** the 1-minute load average (${before.loadAverage[0]} at start, ${after.loadAverage[0]} at end) was above the ${before.nproc} CPUs: other work competed with every process of this benchmark, and the per-round spreads below (min-max) show it. Treat absolute rates and ratios as indicative; rerun \`npm run bench\` on an idle machine before quoting them as the product's limits.\n`
        : '',
  };
}

function throughputSection(results: BenchResults): SectionValues {
  const { scenarios, runs, settings } = results;
  if (scenarios === undefined || runs === undefined) return undefined;
  const nproc = results.machine.before.nproc;
  const of = (id: ScenarioId) => runs.filter((run) => run.scenario === id);
  const rate = (id: ScenarioId) => summarise(of(id).map((run) => run.eventsPerSecond));
  /** Per-round ratio of `id`'s rate to `to`'s rate in the same round (same conditions). */
  const ratio = (id: ScenarioId, to: ScenarioId = 'ceiling-putrecords-500') => {
    const base = new Map(of(to).map((run) => [run.round, run.eventsPerSecond]));
    return summarise(of(id).map((run) => run.eventsPerSecond / (base.get(run.round) ?? Number.NaN)));
  };
  const calls = (id: ScenarioId) => summarise(of(id).map((run) => run.writeCallsPerEvent)).median;
  const cpu = (id: ScenarioId, key: 'bench' | 'emulator' | 'collector') => {
    const values = of(id)
      .map((run) => run.cpuMsPer1000Events[key])
      .filter((value): value is number => value !== undefined);
    return values.length === 0 ? undefined : summarise(values).median;
  };
  const cpuCell = (id: ScenarioId, key: 'bench' | 'emulator' | 'collector') => {
    const value = cpu(id, key);
    return value === undefined ? '-' : int(value);
  };
  const scenarioRows = scenarios.map((scenario) => {
    const own = of(scenario.id);
    const speed = rate(scenario.id);
    const toCeiling = ratio(scenario.id);
    const perEvent = calls(scenario.id);
    const once = own.every((run) => run.verification.exactlyOnce);
    return `| \`${scenario.id}\`: ${scenario.description} | ${int(own[0]?.events ?? 0)} | ${int(speed.median)} | ${range(speed)} | ${fixed(toCeiling.median)} (${range(toCeiling, fixed)}) | ${perEvent.toFixed(3)} (1/${int(1 / perEvent)}) | ${cpuCell(scenario.id, 'bench')} / ${cpuCell(scenario.id, 'collector')} / ${cpuCell(scenario.id, 'emulator')} | ${once ? `yes, ${own.length}/${own.length} rounds` : 'NO'} |`;
  });
  const headlineRow = (label: string, id: ScenarioId, strong: boolean) => {
    const value = id === 'ceiling-putrecords-500' ? '1' : fixed(ratio(id).median);
    return `| ${label} | ${int(rate(id).median)} | ${strong ? `**${value}**` : value} | ${calls(id).toFixed(4)} |`;
  };
  const ratio500 = ratio('ours-http-batch-500');
  const ratio100 = ratio('ours-http-batch-100');
  const emulatorCeiling = cpu('ceiling-putrecords-500', 'emulator') ?? Number.NaN;
  const emulatorOurs = cpu('ours-http-batch-500', 'emulator') ?? Number.NaN;
  const emulatorGap = Math.abs(emulatorCeiling - emulatorOurs) / Math.max(emulatorCeiling, emulatorOurs);
  const busyCores = summarise(
    of('ours-http-batch-500').map(
      (run) =>
        ((run.cpuMsPer1000Events.bench +
          (run.cpuMsPer1000Events.collector ?? 0) +
          run.cpuMsPer1000Events.emulator) *
          run.eventsPerSecond) /
        1_000_000,
    ),
  ).median;
  const recordBytes = results.recordBytes ?? Number.NaN;
  return {
    shards: String(settings.shards),
    eventBytes: String(settings.eventBytes),
    batchSize: kb(settings.batchBytes),
    batchFit: settings.batchBytes <= settings.maxRequestBytes ? 'inside' : 'over',
    maxRequest: `${fixed(settings.maxRequestBytes / 1024, 0)} KiB`,
    recordBytes: int(recordBytes),
    concurrency: String(settings.concurrency),
    rounds: String(settings.rounds),
    headline: table(
      '| | events/s (median) | ratio to ceiling | Kinesis write calls per event |',
      '|---|---:|---:|---:|',
      [
        headlineRow('Ceiling: plain SDK, PutRecords x500', 'ceiling-putrecords-500', false),
        headlineRow('Ours, HTTP batches of 500', 'ours-http-batch-500', true),
        headlineRow('Ours, HTTP batches of 100', 'ours-http-batch-100', true),
        headlineRow('Peer: one PutRecord per event', 'peer-putrecord-per-event', false),
        headlineRow(
          'Peer: one HTTP request per event (analytics-next default)',
          'peer-http-per-event',
          false,
        ),
      ],
    ),
    ratio500: fixed(ratio500.median),
    ratio100: fixed(ratio100.median),
    target500: ratio500.median >= 0.8 ? 'meet it' : 'miss it',
    target100: ratio100.median >= 0.8 ? 'meet it' : 'miss it',
    speedUpPutRecord: fixed(ratio('ours-http-batch-500', 'peer-putrecord-per-event').median, 1),
    speedUpHttp: fixed(ratio('ours-http-batch-500', 'peer-http-per-event').median, 1),
    calls500: calls('ours-http-batch-500').toFixed(4),
    calls500Target: metOrMissed(calls('ours-http-batch-500') <= 0.01),
    calls100: calls('ours-http-batch-100').toFixed(4),
    callsPeer: calls('peer-putrecord-per-event').toFixed(0),
    callsPeerHttp: calls('peer-http-per-event').toFixed(0),
    table: table(
      '| scenario | events/run | events/s median | min-max | ratio to ceiling (median of rounds) | Kinesis write calls per event | CPU ms per 1,000 events: bench / collector / emulator | every event once |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
      scenarioRows,
    ),
    range500: range(ratio500, fixed),
    range100: range(ratio100, fixed),
    nproc: String(nproc),
    emulatorCeiling: int(emulatorCeiling),
    emulatorOurs: int(emulatorOurs),
    emulatorGap: `${int(emulatorGap * 100)}%`,
    collectorCpu: int(cpu('ours-http-batch-500', 'collector') ?? Number.NaN),
    // One PutRecords call of 500 envelopes: base64 (4/3) plus the JSON around each record.
    putRecordsSize: kb(recordBytes * 500 * 1.37),
    busyCores: fixed(busyCores, 1),
    busyVerdict:
      busyCores >= 0.9 * nproc
        ? 'CPU shared with the emulator bounds our path here, not waiting'
        : 'part of the time goes to waiting (I/O, the event loop, the emulator), not only to CPU',
  };
}

function latencySection(results: BenchResults): SectionValues {
  if (results.latency === undefined) return undefined;
  return {
    table: table(
      '| request | requests | handler ms p50 | p90 | mean |',
      '|---|---:|---:|---:|---:|',
      results.latency.map(
        (entry) =>
          `| ${entry.label} | ${entry.requests} | ${fixed(entry.handlerMs.p50)} | ${fixed(entry.handlerMs.p90)} | ${fixed(entry.handlerMs.mean)} |`,
      ),
    ),
  };
}

/** Rows of section 4: measurement key, label, and the bare baseline it is compared with. */
const CPU_ROWS: readonly (readonly [string, string, string])[] = [
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
  ['serialise', "part: `Buffer.from(JSON.stringify(envelope), 'utf8')` per event", 'bareParseStringify'],
];

function cpuSection(results: BenchResults): SectionValues {
  if (results.cpu === undefined) return undefined;
  const micro = results.cpu.microsPerEvent;
  const get = (key: string) => {
    const samples = micro[key];
    if (samples === undefined) throw new Error(`the results have no CPU measurement "${key}"`);
    return summarise(samples);
  };
  const median = (key: string) => get(key).median;
  const withSdk = median('middyHandlerWithSdk');
  const sdk = withSdk - median('middyHandler');
  return {
    table: table(
      '| what (500-event batch, ~1 KB events) | us/event median | min-max | ratio to bare baseline |',
      '|---|---:|---:|---:|',
      CPU_ROWS.map(([key, label, baseline]) => {
        const summary = get(key);
        return `| ${label} | ${fixed(summary.median, 1)} | ${range(summary, (value) => fixed(value, 1))} | ${fixed(summary.median / median(baseline))}x of \`${baseline}\` |`;
      }),
    ),
    bare: fixed(median('bareParseStringify'), 1),
    ingestUseCase: fixed(median('ingestUseCase'), 1),
    middyHandler: fixed(median('middyHandler'), 1),
    handlerTarget: metOrMissed(median('middyHandler') <= 20),
    handlerToBare: fixed(median('middyHandler') / median('bareParseStringify'), 1),
    validate: fixed(median('validate'), 1),
    envelope: fixed(median('envelope'), 1),
    serialise: fixed(median('serialise'), 1),
    sdk: fixed(sdk, 1),
    sdkShare: `${int((sdk / withSdk) * 100)}%`,
  };
}

function bundlesSection(results: BenchResults): SectionValues {
  const { bundles, loads } = results;
  if (bundles === undefined || loads === undefined) return undefined;
  const bundle = (variant: string) => named(bundles, (entry) => entry.variant, variant, 'bundle variant');
  const load = (variant: string, sourceMaps: boolean) =>
    named(loads, (entry) => entry.case, loadCase(variant, sourceMaps), 'load timing');
  const empty = named(loads, (entry) => entry.case, loadCase(undefined, false), 'load timing');
  const deployed = bundle('all-bundled');
  const deployedLoad = load('all-bundled', true);
  const sdkExternal = load('aws-sdk-external', true);
  const spread = deployedLoad.requireMs.max - deployedLoad.requireMs.min;
  const sdkGain = deployedLoad.requireMs.median - sdkExternal.requireMs.median;
  return {
    deployedSize: kb(deployed.bytes),
    deployedRequire: fixed(deployedLoad.requireMs.median, 0),
    emptyWall: fixed(empty.wallMs.median, 0),
    loadRuns: String(results.settings.loadRuns),
    bundleTable: table(
      '| variant | index.js | index.js.map | largest parts of index.js |',
      '|---|---:|---:|---|',
      bundles.map(
        (entry) =>
          `| ${entry.variant} | ${kb(entry.bytes)} | ${kb(entry.sourceMapBytes)} | ${entry.topInputs
            .slice(0, 6)
            .map((input) => `${input.name} ${kb(input.bytes)}`)
            .join(', ')} |`,
      ),
    ),
    loadTable: table(
      `| fresh \`node\` process (median of ${results.settings.loadRuns}) | wall ms: process start to exit | min-max | \`require\` of the bundle, ms | min-max |`,
      '|---|---:|---:|---:|---:|',
      loads.map(
        (entry) =>
          `| ${entry.case} | ${int(entry.wallMs.median)} | ${range(entry.wallMs)} | ${int(entry.requireMs.median)} | ${range(entry.requireMs)} |`,
      ),
    ),
    sdkBytes: kb(deployed.bytes - bundle('aws-sdk-external').bytes),
    sdkExternalRequire: fixed(sdkExternal.requireMs.median, 0),
    smithyExternalRequire: fixed(load('aws-sdk-smithy-external', true).requireMs.median, 0),
    sdkGainVerdict:
      Math.abs(sdkGain) < spread
        ? `a difference of ${fixed(sdkGain, 0)} ms, smaller than the ${fixed(spread, 0)} ms spread between runs of the deployed bundle alone`
        : `a difference of ${fixed(sdkGain, 0)} ms, larger than the ${fixed(spread, 0)} ms spread between runs of the deployed bundle alone`,
    largestParts: deployed.topInputs
      .slice(0, 3)
      .map((input) => `${input.name} (${kb(input.bytes)})`)
      .join(', '),
    sourceMapCost: fixed(deployedLoad.requireMs.median - load('all-bundled', false).requireMs.median, 0),
  };
}

function memorySection(results: BenchResults): SectionValues {
  if (results.memory === undefined) return undefined;
  const memory = results.memory;
  const byId = (id: MemoryCaseId) => named(memory, (entry) => entry.id, id, 'memory case');
  const sixMb = byId('6mb');
  return {
    summary: memory
      .map((entry) => `${mb(entry.peakRssBytes)} for the ${entry.label.split(' (')[0]}`)
      .join(', '),
    table: table(
      '| request | source maps | body | RSS after loading the bundle | peak RSS (VmHWM) | target |',
      '|---|---|---:|---:|---:|---|',
      memory.map(
        (entry) =>
          `| ${entry.label} | ${entry.sourceMaps ? '--enable-source-maps' : 'off (as deployed)'} | ${kb(entry.bodyBytes)} | ${mb(entry.rssAfterLoadBytes)} | ${mb(entry.peakRssBytes)} | ${metOrMissed(entry.peakRssBytes < 128 * 1024 * 1024)} (< 128 MB) |`,
      ),
    ),
    defaultLimit: `${fixed(results.settings.maxRequestBytes / 1024, 0)} KiB`,
    sixMbPeak: mb(sixMb.peakRssBytes),
    sixMbAfterLoad: mb(sixMb.rssAfterLoadBytes),
    sixMbRequest: mb(sixMb.peakRssBytes - sixMb.rssAfterLoadBytes),
  };
}

function costSection(results: BenchResults): SectionValues {
  const { costs, recordBytes, settings, prices } = results;
  if (costs === undefined || recordBytes === undefined) return undefined;
  const cost = (id: CostId) => named(costs, (row) => row.id, id, 'cost row');
  const ours = cost('http-api-20');
  const perEvent = cost('http-api-put-record-20');
  const billedKb = Math.ceil(recordBytes / 1024);
  const rawKb = Math.ceil(settings.eventBytes / 1024);
  return {
    memoryMb: String(settings.memoryMb),
    recordBytes: int(recordBytes),
    billedKb: String(billedKb),
    table: table(
      '| front door and writer | events/request | handler ms | front door | Lambda | Kinesis | total per million events |',
      '|---|---:|---:|---:|---:|---:|---:|',
      costs.map(
        (row) =>
          `| ${row.label} | ${row.eventsPerRequest} | ${fixed(row.durationMs)} | ${usd(row.frontUsd)} | ${usd(row.lambdaUsd)} | ${usd(row.kinesisUsd)} | **${usd(row.totalUsd)}** |`,
      ),
    ),
    perEventKinesis:
      perEvent.kinesisUsd === ours.kinesisUsd
        ? `the same in Kinesis, ${usd(ours.kinesisUsd)}`
        : `${usd(perEvent.kinesisUsd)} in Kinesis against ${usd(ours.kinesisUsd)}`,
    perEventLambda: `${fixed(perEvent.durationMs / ours.durationMs, 1)}x the Lambda time per request (${fixed(perEvent.durationMs)} ms against ${fixed(ours.durationMs)} ms at ${ours.eventsPerRequest} events/request)`,
    goal: `${metOrMissed(ours.totalUsd < 0.2)} (${usd(ours.totalUsd)} at ${ours.eventsPerRequest} events/request, HTTP API)`,
    envelopeBytes: int(recordBytes - settings.eventBytes),
    eventBytes: String(settings.eventBytes),
    envelopeFactor:
      billedKb === rawKb
        ? 'the envelope does not change the Kinesis line'
        : `the Kinesis line is ${fixed(billedKb / rawKb, 1)}x what the raw events would cost (${rawKb} KB each)`,
    pricesChecked: prices.checked,
    pricesTable: table(
      '| price | USD | page | how it was obtained |',
      '|---|---:|---|---|',
      Object.entries(prices)
        .filter(([key]) => key !== 'checked')
        .map(([key, value]) => {
          const price = value as { usd: number; page: string; source: string };
          return `| ${key} | ${price.usd} | ${price.page} | ${price.source} |`;
        }),
    ),
  };
}

function aggregationSection(results: BenchResults): SectionValues {
  const rows = results.aggregation;
  if (rows === undefined || rows.length === 0) return undefined;
  const gains = [...new Set(rows.map((row) => row.label))].flatMap((label) => {
    const plain = rows.find((row) => row.label === label && !row.aggregate);
    const packed = rows.find((row) => row.label === label && row.aggregate);
    return plain === undefined || packed === undefined ? [] : [{ label, plain, packed }];
  });
  const best = gains.reduce<(typeof gains)[number] | undefined>(
    (top, gain) =>
      top === undefined ||
      gain.plain.billedKb / gain.packed.billedKb > top.plain.billedKb / top.packed.billedKb
        ? gain
        : top,
    undefined,
  );
  return {
    table: table(
      '| traffic | records | events | Kinesis records | PUT payload units | billed KB (on-demand) | events/s | Kinesis records/s |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      rows.map(
        (row) =>
          `| ${row.label} | ${row.aggregate ? 'KPL aggregated' : 'plain'} | ${int(row.events)} | ${int(row.kinesisRecords)} | ${int(row.putPayloadUnits)} | ${int(row.billedKb)} | ${int(row.eventsPerSecond)} | ${int(row.kinesisRecordsPerSecond)} |`,
      ),
    ),
    gains: gains
      .map(
        ({ label, plain, packed }) =>
          `- ${label}: ${fixed(plain.putPayloadUnits / packed.putPayloadUnits, 1)}x fewer PUT payload units, ${fixed(plain.kinesisRecords / packed.kinesisRecords, 1)}x fewer Kinesis records, ${fixed(plain.billedKb / packed.billedKb, 2)}x fewer billed KB.`,
      )
      .join('\n'),
    best: best?.label ?? 'n/a',
  };
}

function coldStartSection(results: BenchResults): SectionValues {
  const cold = results.lambdaColdStart;
  if (cold === undefined) return undefined;
  const row = (label: string) => named(cold.rows, (entry) => entry.label, label, 'cold-start row');
  const medianRange = (summary: Summary) =>
    `${ms(summary.median)} (${Math.round(summary.min)}-${Math.round(summary.max)})`;
  const trivial = row('trivial handler');
  const collector = row('collector (cloud-assembly index.js)');
  const withMaps = row('collector with --enable-source-maps');
  const withoutWrapper = row('collector without its exec wrapper (Node started with --expose-gc)');
  const sdkFloor = row("SDK floor: the first request's three AWS calls alone");
  const errorCost = (entry: ColdStartRow) =>
    entry.firstErrorMs === undefined || entry.peakRssAfterErrorMb === undefined
      ? 'n/a'
      : `${ms(entry.firstErrorMs.median)}, peak RSS ${entry.peakRssAfterErrorMb.median.toFixed(1)} MB`;
  const line = (entry: ColdStartRow) => {
    const share = entry.cpuQuota
      ? `${entry.memoryMb} MB (${(entry.cpuShare * 100).toFixed(1)}% vCPU)`
      : 'whole machine';
    const collectorOnly = (text: string) => (entry.function === 'trivial' ? '-' : text);
    return `| ${entry.label} | ${share} | ${medianRange(entry.initMs)} | ${collectorOnly(medianRange(entry.firstInvocationMs))} | ${collectorOnly(medianRange(entry.coldStartMs))} | ${ms(entry.warmP50Ms)} | ${ms(entry.warmP99Ms)} | ${entry.peakRssMb.median.toFixed(1)} MB | ${entry.usdPerMillionEvents === undefined ? '-' : `$${entry.usdPerMillionEvents.toFixed(3)}`} |`;
  };
  return {
    bundleSize: kb(cold.bundleBytes),
    sourceMapSize: kb(cold.sourceMapBytes),
    assetSize: kb(cold.assetBytes),
    lazyModules: cold.lazyModules.map((entry) => `\`${entry.name}.js\` ${kb(entry.bytes)}`).join(', '),
    runs: String(cold.runs),
    eventsPerRequest: String(cold.eventsPerRequest),
    warmInvocations: String(cold.warmInvocations),
    table: table(
      '| function | memory (CPU share) | init | first invocation | init + first | warm p50 | warm p99 | peak RSS | $ / million events |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      cold.rows.map(line),
    ),
    overTrivial: ms(cold.overTrivialMs),
    overTrivialGoal: metOrMissed(cold.overTrivialMs <= 90),
    collectorCold: ms(collector.coldStartMs.median),
    trivialInit: ms(trivial.initMs.median),
    withMapsCold: ms(withMaps.coldStartMs.median),
    withoutWrapperCold: ms(withoutWrapper.coldStartMs.median),
    withoutWrapperOver: ms(withoutWrapper.coldStartMs.median - trivial.initMs.median),
    sdkFloorCold: ms(sdkFloor.coldStartMs.median),
    sdkFloorOver: ms(sdkFloor.coldStartMs.median - trivial.initMs.median),
    collectorOverFloor: ms(collector.coldStartMs.median - sdkFloor.coldStartMs.median),
    withoutMapsRss: `${collector.peakRssMb.median.toFixed(1)} MB`,
    withMapsRss: `${withMaps.peakRssMb.median.toFixed(1)} MB`,
    withoutMapsError: errorCost(collector),
    withMapsError: errorCost(withMaps),
    recommendedMb: String(cold.recommendation.memoryMb),
    recommendationReason: cold.recommendation.reason,
  };
}

/** Rows of section 10: case, what runs, and whether it compares with the no-plan ingest. */
const PLAN_ROWS: readonly (readonly [PlanCaseId, string])[] = [
  ['no-plan', 'ingest use case, valid events, source without a plan (baseline)'],
  ['plan-valid', 'ingest use case, valid events, plan with `violations: block`'],
  ['plan-flagged', 'ingest use case, violating events, `violations: flag` (written with `violations`)'],
  [
    'plan-blocked',
    'ingest use case, violating events, `violations: block` (refused, failure records to the failed-events stream)',
  ],
  ['check-valid', 'part: `plan.check(event)` alone, valid event'],
  ['check-violating', 'part: `plan.check(event)` alone, violating event'],
];

function planValidationSection(results: BenchResults): SectionValues {
  const plan = results.planValidation;
  if (plan === undefined) return undefined;
  const get = (id: PlanCaseId) => summarise(plan.microsPerEvent[id]);
  const baseline = get('no-plan').median;
  // Samples are taken round-robin: compare each with the no-plan sample of the same round.
  const over = (id: PlanCaseId) =>
    summarise(
      plan.microsPerEvent[id].map(
        (value, round) => value - (plan.microsPerEvent['no-plan'][round] ?? Number.NaN),
      ),
    ).median;
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${fixed(value, 1)}`;
  return {
    batch: String(plan.batch),
    plannedEvents: String(plan.plannedEvents),
    plannedProperties: String(plan.plannedProperties),
    violationsPerEvent: String(plan.violationsPerEvent),
    table: table(
      '| what (500-event batch of ~1 KB "Product Viewed" events, writes stubbed) | us/event median | min-max | over no plan (median of rounds) |',
      '|---|---:|---:|---:|',
      PLAN_ROWS.map(([id, label]) => {
        const summary = get(id);
        const versus = id.startsWith('check-') || id === 'no-plan' ? '-' : `${signed(over(id))} us`;
        return `| ${label} | ${fixed(summary.median, 1)} | ${range(summary, (value) => fixed(value, 1))} | ${versus} |`;
      }),
    ),
    validOver: signed(over('plan-valid')),
    validShare: `${int((over('plan-valid') / baseline) * 100)}%`,
    checkValid: fixed(get('check-valid').median, 1),
    checkViolating: fixed(get('check-violating').median, 1),
    flaggedOver: signed(over('plan-flagged')),
    blockedOver: signed(over('plan-blocked')),
    firstLoad: fixed(plan.firstLoadWithPlanMs - plan.loadWithoutPlanMs, 0),
    compile: fixed(summarise(plan.compileMs).median, 1),
  };
}

function reproduceSection(results: BenchResults): SectionValues {
  const seconds = Object.entries(results.sectionSeconds ?? {});
  return {
    knobs: knobsMarkdown(),
    settings: JSON.stringify(results.settings),
    timing:
      seconds.length === 0
        ? ''
        : `Time each section took in this run: ${seconds.map(([section, value]) => `${section} ${int(value)} s`).join(', ')}; ${int(results.durationSeconds)} s in all.\n`,
  };
}

/**
 * The sections of the report by the name the template uses (`{{#name}}`, `{{name.value}}`); each
 * computes its values from the results, or `undefined` when it was not measured.
 */
function typicalEventsSection(results: BenchResults): SectionValues {
  const rows = results.typicalEvents;
  if (rows === undefined) return undefined;
  const row = (id: TypicalEventId) => named(rows, (entry) => entry.id, id, 'typical event');
  const under = (entry: TypicalEventCost) => entry.cost.totalUsd < 0.2;
  const browserTrack = row('analytics-next-track');
  const browserPage = row('analytics-next-page');
  const over1Kb = rows.filter((entry) => entry.billedKb > 1);
  const movedUnder = over1Kb.filter((entry) => entry.withoutNullsBilledKb === 1);
  return {
    eventsPerRequest: String(browserTrack.cost.eventsPerRequest),
    durationMs: fixed(browserTrack.cost.durationMs),
    table: table(
      `| event | event bytes | envelope bytes | envelope overhead | Kinesis billing units (KB) | per million events | without \`null\` fields: bytes | billing units | per million events | \`aggregate: true\`, ${browserTrack.aggregatedEvents} of one user: record bytes | billing units per event | per million events |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      rows.map(
        (entry) =>
          `| ${entry.label} | ${int(entry.eventBytes)} | ${int(entry.envelopeBytes)} | ${entry.envelopeBytes >= entry.eventBytes ? '+' : ''}${int(entry.envelopeBytes - entry.eventBytes)} | ${entry.billedKb} | **${usd(entry.cost.totalUsd)}** | ${int(entry.withoutNullsBytes)} | ${entry.withoutNullsBilledKb} | ${usd(entry.withoutNullsCost.totalUsd)} | ${int(entry.aggregatedBytes)} | ${fixed(entry.aggregatedBilledKb)} | **${usd(entry.aggregatedCost.totalUsd)}** |`,
      ),
    ),
    goal: rows
      .map((entry) => `${entry.id} ${metOrMissed(under(entry))} (${usd(entry.cost.totalUsd)})`)
      .join(', '),
    aggregatedGoal: rows
      .map(
        (entry) =>
          `${entry.id} ${metOrMissed(entry.aggregatedCost.totalUsd < 0.2)} (${usd(entry.aggregatedCost.totalUsd)})`,
      )
      .join(', '),
    overOneKb:
      over1Kb.length === 0
        ? 'no typical event is billed more than 1 KB'
        : `${over1Kb.map((entry) => entry.id).join(', ')} ${over1Kb.length === 1 ? 'is' : 'are'} billed 2 KB or more; without its \`null\` fields ${movedUnder.length === 0 ? 'none of them' : movedUnder.map((entry) => entry.id).join(', ')} would drop to 1 KB (${browserTrack.id}: ${int(browserTrack.withoutNullsBytes)} bytes, ${browserPage.id}: ${int(browserPage.withoutNullsBytes)} bytes)`,
  };
}

const ENRICHMENT_ROWS: readonly (readonly [EnrichmentCaseId, string])[] = [
  ['none', 'none of them (the ingest use case alone)'],
  ['bot', '`bot: "flag"` (isbot, cached)'],
  ['geo', '`geo: {}` (bundled country MMDB)'],
  ['device', '`device: true` (ua-parser-js 1.x, cached)'],
  ['all', 'all three'],
  ['hash', '`redact.hash: ["*.email"]` (HMAC-SHA256 with the key, 2 fields/event)'],
  [
    'hash-new',
    '`redact.hash: ["*.email"]`, every value new (2 HMACs/event, the memo answers none; emails rewritten untimed before each batch)',
  ],
  ['drop', '`redact.drop: ["*.email"]` (2 fields/event)'],
  ['mask', '`redact.mask: [{ path: "*.email", keepEnd: 4 }]` (2 fields/event)'],
  ['suppression', '`suppression` (userId and anonymousId looked up, warm cache)'],
];

function enrichmentSection(results: BenchResults): SectionValues {
  const enrichment = results.enrichment;
  if (enrichment === undefined) return undefined;
  const samples: Readonly<Partial<Record<EnrichmentCaseId, number[]>>> = enrichment.microsPerEvent;
  const none = enrichment.microsPerEvent.none;
  // Samples are taken round-robin: compare each with the no-enrich sample of the same round.
  const over = (id: EnrichmentCaseId) =>
    summarise((samples[id] ?? []).map((value, round) => value - (none[round] ?? Number.NaN))).median;
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${fixed(value, 1)}`;
  // Results from before the field-rule and suppression cases have only the enrichment rows.
  const measured = ENRICHMENT_ROWS.filter(([id]) => samples[id] !== undefined);
  const rules = samples.hash !== undefined && samples.drop !== undefined && samples.mask !== undefined;
  // Results from before the `hash-new` case have only the repeating-values figure.
  const hashNew =
    samples['hash-new'] === undefined
      ? ''
      : ` with values that repeat (${signed(over('hash-new'))} with every value new)`;
  return {
    batch: String(enrichment.batch),
    addresses: String(enrichment.addresses),
    allOver: signed(over('all')),
    rules:
      rules && samples.suppression !== undefined
        ? `- Field rules on two \`*.email\` fields per event: \`hash\` ${signed(over('hash'))}${hashNew}, \`drop\` ${signed(over('drop'))}, \`mask\` ${signed(over('mask'))} us/event; \`suppression\` with a warm cache ${signed(over('suppression'))} us/event.`
        : '- Field rules and suppression: not measured in this run.',
    table: table(
      '| source setting (500-event batch, writes stubbed) | us/event median | min-max | over none (median of rounds) |',
      '|---|---:|---:|---:|',
      measured.map(([id, label]) => {
        const summary = summarise(samples[id] ?? []);
        const versus = id === 'none' ? '-' : `${signed(over(id))} us`;
        return `| ${label} | ${fixed(summary.median, 1)} | ${fixed(summary.min, 1)}-${fixed(summary.max, 1)} | ${versus} |`;
      }),
    ),
  };
}

function dedupSection(results: BenchResults): SectionValues {
  const dedup = results.dedup;
  if (dedup === undefined) return undefined;
  const pass = (id: DedupResult['passes'][number]['id']) =>
    named(dedup.passes, (entry) => entry.id, id, 'dedup pass');
  const plain = pass('without-dedup');
  const fresh = pass('dedup-new');
  const retried = pass('dedup-duplicates');
  const { prices } = dedup;
  // Request units: one read per event asked (a key with no item still costs one), one write per mark.
  const perMillion = (row: typeof fresh) =>
    prices.readRequestUnitsPerMillionUsd + (row.written / row.events) * prices.writeRequestUnitsPerMillionUsd;
  return {
    eventsPerRequest: int(dedup.eventsPerRequest),
    table: table(
      '| pass | requests | events | written | duplicates | BatchGetItem calls per event | PutItem calls per event | handler p50 ms | handler p99 ms | DynamoDB per million events |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      [plain, fresh, retried].map(
        (row) =>
          `| ${row.label} | ${int(row.requests)} | ${int(row.events)} | ${int(row.written)} | ${int(row.duplicates)} | ${fixed(row.batchGetCalls / row.events, 3)} | ${fixed(row.putItemCalls / row.events, 3)} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${row.id === 'without-dedup' ? '-' : usd(perMillion(row))} |`,
      ),
    ),
    addedP50: fixed(fresh.p50Ms - plain.p50Ms, 1),
    addedP99: fixed(fresh.p99Ms - plain.p99Ms, 1),
    retryP50: fixed(retried.p50Ms, 1),
    plainP50: fixed(plain.p50Ms, 1),
    newCost: usd(perMillion(fresh)),
    retryCost: usd(perMillion(retried)),
    prices: `${usd(prices.readRequestUnitsPerMillionUsd)} per million read request units and ${usd(prices.writeRequestUnitsPerMillionUsd)} per million write request units, ${prices.region} (${prices.page}; ${prices.source})`,
  };
}

export function reportSections(results: BenchResults): Record<string, SectionValues> {
  return {
    run: runSection(results),
    machine: machineSection(results),
    throughput: throughputSection(results),
    latency: latencySection(results),
    cpu: cpuSection(results),
    bundles: bundlesSection(results),
    memory: memorySection(results),
    cost: costSection(results),
    'typical-events': typicalEventsSection(results),
    aggregation: aggregationSection(results),
    'cold-start': coldStartSection(results),
    'plan-validation': planValidationSection(results),
    dedup: dedupSection(results),
    enrichment: enrichmentSection(results),
    reproduce: reproduceSection(results),
  };
}

/** docs/benchmarks.md for `results`: bench/benchmarks.template.md filled by {@link reportSections}. */
export function writeReport(results: BenchResults): string {
  return renderTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), reportSections(results));
}
