import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAZY_MODULE_NAMES } from '../lambda/contract/lazy-modules';
import { type DeployedEnvironment, startDeployedEnvironment } from '../test/support/deployed-environment';
import { cpuShareOf } from '../tools/lambda-runtime/cpu-quota-cgroup';
import { startLambdaProcess } from '../tools/lambda-runtime/lambda-process';
import { collectorBuildOptions, WORK_DIR } from './cold-start';
import { costPerMillionEvents } from './cost';
import { batchApiEvent, batchBody, trackEvents } from './events';
import { percentile, type Summary, summarise } from './stats';

const EXTERNAL_ID = 'bench-cold-start-external-id';
/** The write key `batchApiEvent` sends. */
const WRITE_KEY = 'bench-write-key';
/** Events per request of the cold-start runs: a server-side SDK's batch, as in the cost table. */
export const COLD_START_EVENTS_PER_REQUEST = 20;
/** Memory sizes of the CPU-quota runs (the vCPU share is memory / 1,769 MB). */
export const QUOTA_MEMORY_SIZES = [128, 256, 512, 1024] as const;

/** One configuration's measurements over fresh execution environments. */
export interface ColdStartRow {
  readonly label: string;
  readonly function: FunctionKind;
  readonly memoryMb: number;
  /** Whether the process ran in a CPU-quota cgroup at the memory size's vCPU share. */
  readonly cpuQuota: boolean;
  /** Ran with `NODE_OPTIONS=--enable-source-maps` (the template does not set it). */
  readonly withSourceMaps: boolean;
  readonly cpuShare: number;
  /** Process start to the runtime's first `/next` (Lambda's Init Duration). */
  readonly initMs: Summary;
  /** The first invocation's duration. */
  readonly firstInvocationMs: Summary;
  /** Init + first invocation: what the first client of a new container waits for on top of its request. */
  readonly coldStartMs: Summary;
  /** Warm invocations of every environment, pooled. */
  readonly warmP50Ms: number;
  readonly warmP99Ms: number;
  /** High-water RSS (`VmHWM`) after the warm invocations. */
  readonly peakRssMb: Summary;
  /**
   * Rows without CPU quota only: one more invocation whose event makes the handler fail (logged
   * with its stack trace, answered 500), the first stack a container formats: its duration, and the
   * high-water RSS after it. With `--enable-source-maps`, that is when Node reads the map.
   */
  readonly firstErrorMs?: Summary;
  readonly peakRssAfterErrorMb?: Summary;
  /** Dollars per million events at {@link COLD_START_EVENTS_PER_REQUEST} events per request (HTTP API), warm p50 billed. */
  readonly usdPerMillionEvents?: number;
}

export interface ColdStartResults {
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** Every file of the asset directory (what is zipped and deployed): index.js, lazy modules, maps. */
  readonly assetBytes: number;
  /** Each lazy module's bundle (lambda/contract/lazy-modules.ts), loaded only when needed. */
  readonly lazyModules: readonly { readonly name: string; readonly bytes: number }[];
  readonly runs: number;
  readonly warmInvocations: number;
  readonly eventsPerRequest: number;
  readonly rows: readonly ColdStartRow[];
  /** Collector (init + first invocation) minus the trivial handler's init, medians, without CPU quota. */
  readonly overTrivialMs: number;
  readonly recommendation: { readonly memoryMb: number; readonly reason: string };
}

/**
 * What a row runs: the trivial handler (the baseline: the managed runtime alone, started as AWS starts
 * it), the cloud-assembly collector, or the SDK floor (bench/sdk-floor-handler.ts).
 */
export type FunctionKind = 'collector' | 'trivial' | 'sdk-floor';

interface Case {
  readonly label: string;
  readonly function: FunctionKind;
  readonly memoryMb: number;
  readonly cpuQuota: boolean;
  /** Run with `NODE_OPTIONS=--enable-source-maps`, which the template leaves out: the source-map decision. */
  readonly withSourceMaps?: boolean;
  /** Started as the managed runtime starts Node, without the asset's exec wrapper (`AWS_LAMBDA_EXEC_WRAPPER`). */
  readonly withoutExecWrapper?: boolean;
}

/**
 * The SDK floor's function directory: bench/sdk-floor-handler.ts bundled with the construct's esbuild
 * settings, started through the collector asset's exec wrapper, as the collector is.
 */
async function writeSdkFloorFunction(assetDir: string): Promise<string> {
  const dir = join(WORK_DIR, 'sdk-floor-function');
  await build({
    entryPoints: [join(__dirname, 'sdk-floor-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    outfile: join(dir, 'index.js'),
    logLevel: 'silent',
    ...collectorBuildOptions(),
  });
  copyFileSync(join(assetDir, EXEC_WRAPPER_FILE), join(dir, EXEC_WRAPPER_FILE));
  return dir;
}

/** The variable naming the asset's exec wrapper, and the wrapper's file in the asset. */
const EXEC_WRAPPER_VARIABLE = 'AWS_LAMBDA_EXEC_WRAPPER';
const EXEC_WRAPPER_FILE = 'exec-wrapper.sh';

/**
 * The cases in the order of round `run`: the rows without CPU quota rotated by one place per round,
 * so that no row always runs first (the first process after the CPU-quota rows was measured slower,
 * whichever it was), then the CPU-quota rows in their order.
 */
export function roundOrder<T extends { readonly cpuQuota: boolean }>(cases: readonly T[], run: number): T[] {
  const free = cases.filter((entry) => !entry.cpuQuota);
  const shift = free.length === 0 ? 0 : run % free.length;
  return [...free.slice(shift), ...free.slice(0, shift), ...cases.filter((entry) => entry.cpuQuota)];
}

/** A handler that does nothing: the runtime's own start-up, the baseline of every cold start. */
function writeTrivialFunction(): string {
  const dir = join(WORK_DIR, 'trivial-function');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "{}" });\n');
  return dir;
}

/**
 * The cold-start section: the cloud-assembly `index.js` (synthesized by `npx cdk synth` as deployed)
 * under `aws-lambda-ric` on Node 24 (tools/lambda-runtime), with the synthesized environment and local
 * stand-ins for Kinesis, STS, Secrets Manager and SQS; each run is a fresh execution environment:
 * init, a first `/v1/batch` of {@link COLD_START_EVENTS_PER_REQUEST} events, then warm invocations.
 * A trivial handler runs in the same rounds (interleaved, so machine drift hits both alike), without
 * and with the CPU quota of each memory size.
 */
export async function measureLambdaColdStarts(options: {
  readonly runs: number;
  readonly warmInvocations: number;
  readonly recordBytes: number;
  readonly log: (message: string) => void;
}): Promise<ColdStartResults> {
  const outdir = mkdtempSync(join(WORK_DIR, 'cdk-out-'));
  let deployed: DeployedEnvironment | undefined;
  try {
    options.log('cold start: npx cdk synth (bundles the function as deployed)');
    deployed = await startDeployedEnvironment({ externalId: EXTERNAL_ID, bundled: true, synthDir: outdir });
    const [source] = deployed.collectorConfig.sources;
    deployed.secretsManager.put(
      deployed.writeKeysSecretArn,
      JSON.stringify({ [source?.id ?? '']: WRITE_KEY }),
    );
    const assetDir = deployed.assetDir as string;
    const trivialDir = writeTrivialFunction();
    const sdkFloorDir = await writeSdkFloorFunction(assetDir);
    const withWrapper = deployed.env;
    const { [EXEC_WRAPPER_VARIABLE]: execWrapper, ...withoutWrapper } = withWrapper;
    if (execWrapper !== `/var/task/${EXEC_WRAPPER_FILE}`)
      throw new Error(
        `the template sets ${EXEC_WRAPPER_VARIABLE}=${execWrapper}, not /var/task/${EXEC_WRAPPER_FILE}`,
      );
    const codeDirs: Record<FunctionKind, string> = {
      collector: assetDir,
      trivial: trivialDir,
      'sdk-floor': sdkFloorDir,
    };
    const environmentOf = (entry: Case): Record<string, string> => {
      const base = entry.function === 'trivial' || entry.withoutExecWrapper ? withoutWrapper : withWrapper;
      return entry.withSourceMaps ? { ...base, NODE_OPTIONS: '--enable-source-maps' } : base;
    };
    const cases: Case[] = [
      { label: 'trivial handler', function: 'trivial', memoryMb: 256, cpuQuota: false },
      { label: 'collector (cloud-assembly index.js)', function: 'collector', memoryMb: 256, cpuQuota: false },
      {
        label: 'collector with --enable-source-maps',
        function: 'collector',
        memoryMb: 256,
        cpuQuota: false,
        withSourceMaps: true,
      },
      {
        label: 'collector without its exec wrapper (Node started with --expose-gc)',
        function: 'collector',
        memoryMb: 256,
        cpuQuota: false,
        withoutExecWrapper: true,
      },
      {
        label: "SDK floor: the first request's three AWS calls alone",
        function: 'sdk-floor',
        memoryMb: 256,
        cpuQuota: false,
      },
      ...QUOTA_MEMORY_SIZES.flatMap((memoryMb) => [
        {
          label: `trivial handler, ${memoryMb} MB CPU share`,
          function: 'trivial' as const,
          memoryMb,
          cpuQuota: true,
        },
        {
          label: `collector, ${memoryMb} MB CPU share`,
          function: 'collector' as const,
          memoryMb,
          cpuQuota: true,
        },
      ]),
    ];
    const samples = new Map(
      cases.map((entry) => [
        entry.label,
        {
          init: [] as number[],
          first: [] as number[],
          cold: [] as number[],
          warm: [] as number[],
          rss: [] as number[],
          error: [] as number[],
          rssAfterError: [] as number[],
        },
      ]),
    );
    let requests = 0;
    const event = () =>
      batchApiEvent(
        batchBody(
          trackEvents(COLD_START_EVENTS_PER_REQUEST, 'cold-start', requests * COLD_START_EVENTS_PER_REQUEST),
        ),
        `cold-start-${++requests}`,
      );
    for (let run = 0; run < options.runs; run++) {
      for (const entry of roundOrder(cases, run)) {
        const lambda = await startLambdaProcess({
          codeDir: codeDirs[entry.function],
          handler: entry.function === 'collector' ? deployed.fn.handler : 'index.handler',
          environment: environmentOf(entry),
          memorySizeMb: entry.memoryMb,
          cpuQuota: entry.cpuQuota,
          initTimeoutMs: 120_000,
        });
        try {
          assertStartedAsMeant(entry, lambda.pid);
          const first = await lambda.invoke(event(), { timeoutMs: 30_000 });
          assertAccepted(entry, first.outcome, first.body);
          const warm: number[] = [];
          for (let i = 0; i < options.warmInvocations; i++) {
            const answer = await lambda.invoke(event(), { timeoutMs: 30_000 });
            assertAccepted(entry, answer.outcome, answer.body);
            warm.push(answer.durationMs);
          }
          const sample = samples.get(entry.label);
          sample?.init.push(lambda.initMs);
          sample?.first.push(first.durationMs);
          sample?.cold.push(lambda.initMs + first.durationMs);
          sample?.warm.push(...warm);
          sample?.rss.push(lambda.peakRssBytes() / (1024 * 1024));
          if (entry.function === 'collector' && !entry.cpuQuota) {
            const failed = await lambda.invoke(FAILING_EVENT, { timeoutMs: 30_000 });
            assertStatus(entry, 500, failed.outcome, failed.body);
            sample?.error.push(failed.durationMs);
            sample?.rssAfterError.push(lambda.peakRssBytes() / (1024 * 1024));
          }
        } finally {
          await lambda.stop();
        }
      }
      options.log(`cold start: round ${run + 1}/${options.runs}`);
    }
    const rows = cases.map((entry): ColdStartRow => {
      const sample = samples.get(entry.label) ?? {
        init: [],
        first: [],
        cold: [],
        warm: [],
        rss: [],
        error: [],
        rssAfterError: [],
      };
      const warmP50Ms = percentile(sample.warm, 50);
      return {
        ...entry,
        withSourceMaps: entry.withSourceMaps ?? false,
        cpuShare: entry.cpuQuota ? cpuShareOf(entry.memoryMb) : Number.NaN,
        initMs: summarise(sample.init),
        firstInvocationMs: summarise(sample.first),
        coldStartMs: summarise(sample.cold),
        warmP50Ms,
        warmP99Ms: percentile(sample.warm, 99),
        peakRssMb: summarise(sample.rss),
        ...(sample.error.length === 0
          ? {}
          : { firstErrorMs: summarise(sample.error), peakRssAfterErrorMb: summarise(sample.rssAfterError) }),
        ...(entry.function === 'collector' && entry.cpuQuota
          ? {
              usdPerMillionEvents: costPerMillionEvents({
                label: entry.label,
                front: 'http-api',
                eventsPerRequest: COLD_START_EVENTS_PER_REQUEST,
                durationMs: warmP50Ms,
                memoryMb: entry.memoryMb,
                recordBytes: options.recordBytes,
              }).totalUsd,
            }
          : {}),
      };
    });
    const median = (label: string, pick: (row: ColdStartRow) => Summary) =>
      pick(rows.find((row) => row.label === label) as ColdStartRow).median;
    return {
      bundleBytes: statSync(join(assetDir, 'index.js')).size,
      sourceMapBytes: statSync(join(assetDir, 'index.js.map')).size,
      assetBytes: readdirSync(assetDir).reduce((sum, file) => sum + statSync(join(assetDir, file)).size, 0),
      lazyModules: LAZY_MODULE_NAMES.map((name) => ({
        name,
        bytes: statSync(join(assetDir, `${name}.js`)).size,
      })),
      runs: options.runs,
      warmInvocations: options.warmInvocations,
      eventsPerRequest: COLD_START_EVENTS_PER_REQUEST,
      rows,
      overTrivialMs:
        median('collector (cloud-assembly index.js)', (row) => row.coldStartMs) -
        median('trivial handler', (row) => row.initMs),
      recommendation: recommendMemory(rows),
    };
  } finally {
    await deployed?.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * An HTTP API event without its `requestContext`: the handler fails on it, logs the error with its
 * stack trace and answers 500, as it would for any bug.
 */
const FAILING_EVENT = { version: '2.0', routeKey: '$default', rawPath: '/v1/batch', headers: {} };

function assertStatus(entry: Case, status: number, outcome: string, body: string): void {
  const answer = outcome === 'response' ? (JSON.parse(body) as { statusCode?: number }) : undefined;
  if (answer?.statusCode !== status)
    throw new Error(`${entry.label}: invocation answered ${outcome} ${body}`);
}

/** The row's Node runs with `--expose-gc` exactly when it runs as the managed runtime starts it (no exec wrapper). */
function assertStartedAsMeant(entry: Case, pid: number): void {
  const exposed = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--expose-gc');
  const meant = entry.function === 'trivial' || entry.withoutExecWrapper === true;
  if (exposed !== meant)
    throw new Error(
      `${entry.label}: Node runs ${exposed ? 'with' : 'without'} --expose-gc, not as the row means`,
    );
}

function assertAccepted(entry: Case, outcome: string, body: string): void {
  assertStatus(entry, 200, outcome, body);
}

/**
 * The smallest memory size whose cold start stays within 1.5x of the fastest size's and whose warm p99
 * stays under 100 ms, among those within 10% of the cheapest cost per million events: the client of a
 * cold container waits for the cold start, every client for the warm duration, and the bill for both.
 */
export function recommendMemory(rows: readonly ColdStartRow[]): { memoryMb: number; reason: string } {
  const sized = rows.filter((row) => row.function === 'collector' && row.cpuQuota);
  const cheapest = Math.min(...sized.map((row) => row.usdPerMillionEvents ?? Number.POSITIVE_INFINITY));
  const fastestCold = Math.min(...sized.map((row) => row.coldStartMs.median));
  const fit = sized.find(
    (row) =>
      (row.usdPerMillionEvents ?? Number.POSITIVE_INFINITY) <= cheapest * 1.1 &&
      row.coldStartMs.median <= fastestCold * 1.5 &&
      row.warmP99Ms < 100,
  );
  const chosen =
    fit ?? sized.reduce((best, row) => (row.coldStartMs.median < best.coldStartMs.median ? row : best));
  const usd = (row: ColdStartRow) => `$${(row.usdPerMillionEvents ?? Number.NaN).toFixed(3)}`;
  const reason = fit
    ? `the smallest size within 10% of the cheapest cost per million events (${usd(chosen)} against ${`$${cheapest.toFixed(3)}`}) whose cold start (${chosen.coldStartMs.median.toFixed(0)} ms) is within 1.5x of the fastest size's (${fastestCold.toFixed(0)} ms) and whose warm p99 is under 100 ms (${chosen.warmP99Ms.toFixed(0)} ms)`
    : `no size met every bound (cost within 10% of the cheapest, cold start within 1.5x of the fastest, warm p99 < 100 ms); this one has the fastest cold start (${chosen.coldStartMs.median.toFixed(0)} ms) at ${usd(chosen)} per million events`;
  return { memoryMb: chosen.memoryMb, reason };
}
