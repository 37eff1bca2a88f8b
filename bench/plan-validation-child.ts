/**
 * Child-process entry of the tracking-plan section: what checking events against a tracking plan
 * (Ajv-compiled, lambda/events/json-schema-compiler.ts) costs per event in the ingest use case, with
 * the stream writes stubbed out, against the same events without a plan. Fresh process, so the
 * first configuration load with a plan also shows what loading Ajv and compiling the plan costs.
 */
import { performance } from 'node:perf_hooks';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import type { RecordWriter } from '../lambda/delivery/record-writer';
import { createJsonSchemaCompiler } from '../lambda/events/json-schema-compiler';
import type { SegmentEvent } from '../lambda/events/segment-event';
import { compileTrackingPlan, type TrackingPlanDocument } from '../lambda/events/tracking-plan';
import { validateEvent } from '../lambda/events/validate-event';
import { Ingest, type IngestOutcome } from '../lambda/ingest/ingest';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { trackEvents } from './events';
import { BENCH_TRACKING_PLAN, type PlanCaseId, type PlanValidationResult, planSize } from './plan-validation';

const BATCH = 500;
const SAMPLES = Number(process.env.BENCH_CPU_SAMPLES ?? 9);
const ITERATIONS = Number(process.env.BENCH_CPU_ITERATIONS ?? 20);
const VIOLATIONS_PER_EVENT = 2;

const configWith = (trackingPlan: unknown) =>
  localCollectorConfig(
    { ...localModeSettings({ WRITE_KEY: 'bench-write-key' }), ...(trackingPlan ? { trackingPlan } : {}) },
    'http://127.0.0.1:9',
  );

/**
 * Microseconds per event of each task, sampled round-robin (one sample of every task per round) so
 * drift in the machine's load hits every case alike.
 */
async function perEventMicros<K extends string>(
  tasks: Readonly<Record<K, () => unknown>>,
): Promise<Record<K, number[]>> {
  const entries = Object.entries(tasks) as [K, () => unknown][];
  for (const [, task] of entries) for (let warm = 0; warm < ITERATIONS * 2; warm++) await task();
  const samples = Object.fromEntries(entries.map(([key]) => [key, [] as number[]])) as Record<K, number[]>;
  for (let sample = 0; sample < SAMPLES; sample++) {
    for (const [key, task] of entries) {
      const start = performance.now();
      for (let iteration = 0; iteration < ITERATIONS; iteration++) await task();
      samples[key].push(((performance.now() - start) * 1000) / ITERATIONS / BATCH);
    }
  }
  return samples;
}

function timed<T>(task: () => T): [T, number] {
  const start = performance.now();
  const value = task();
  return [value, performance.now() - start];
}

/** A writer that takes every record at once and remembers the last batch: no network, no SDK. */
function stubWriter(): RecordWriter & { last: readonly Uint8Array[] } {
  const writer = {
    last: [] as readonly Uint8Array[],
    write: async (records: readonly { data: Uint8Array }[]) => {
      writer.last = records.map((record) => record.data);
      return { failed: [], calls: 1 };
    },
  };
  return writer as RecordWriter & { last: readonly Uint8Array[] };
}

function expect(outcome: IngestOutcome, kind: IngestOutcome['kind'], what: string): void {
  if (outcome.kind !== kind) throw new Error(`${what}: expected ${kind}, got ${JSON.stringify(outcome)}`);
}

async function main(): Promise<void> {
  const [withoutPlan, loadWithoutPlanMs] = timed(() => parseRuntimeConfig(configWith(undefined)));
  const [blocking, firstLoadWithPlanMs] = timed(() => parseRuntimeConfig(configWith(BENCH_TRACKING_PLAN)));
  const flagging = parseRuntimeConfig(configWith({ ...BENCH_TRACKING_PLAN, violations: 'flag' }));
  const compileMs: number[] = [];
  for (let sample = 0; sample < 5; sample++) {
    compileMs.push(
      timed(() =>
        compileTrackingPlan(
          BENCH_TRACKING_PLAN as unknown as TrackingPlanDocument,
          createJsonSchemaCompiler(),
        ),
      )[1],
    );
  }

  const source = (config: typeof withoutPlan) => config.sources[0] as (typeof config.sources)[number];
  const destination = withoutPlan.destinations[0]?.id as string;
  const writer = stubWriter();
  const failedWriter = stubWriter();
  const ingest = new Ingest({
    writers: new Map([[destination, writer]]),
    failedWriters: new Map([[destination, failedWriter]]),
    maxEventBytes: 32 * 1024,
  });
  const valid = trackEvents(BATCH, 'plan');
  // Each violates "Product Viewed" twice: product_id missing, price a string.
  const violating = valid.map((event) => {
    const { product_id: _, ...properties } = event.properties as Record<string, unknown>;
    return { ...event, properties: { ...properties, price: '129.90' } };
  });
  const request = (config: typeof withoutPlan, messages: readonly unknown[]) => () =>
    ingest.ingest({
      source: source(config),
      messages,
      receivedAt: Date.now(),
      sourceIp: '127.0.0.1',
      deadline: Date.now() + 5_000,
    });

  expect(await request(withoutPlan, valid)(), 'delivered', 'no plan');
  expect(await request(blocking, valid)(), 'delivered', 'valid events');
  expect(await request(flagging, violating)(), 'delivered', 'flagged events');
  if (!Buffer.from(writer.last[0] ?? []).includes('"violations"')) {
    throw new Error('flagged events were written without their violations');
  }
  const blocked = await request(blocking, violating)();
  expect(blocked, 'nothing-valid', 'blocked events');
  if (blocked.rejected.length !== BATCH || failedWriter.last.length !== BATCH) {
    throw new Error(`blocked events: ${blocked.rejected.length} refused, ${failedWriter.last.length} kept`);
  }

  const plan = compileTrackingPlan(
    BENCH_TRACKING_PLAN as unknown as TrackingPlanDocument,
    createJsonSchemaCompiler(),
  );
  const parsed = (events: readonly unknown[]) =>
    events.map((event) => (validateEvent(event) as { event: SegmentEvent }).event);
  const validEvents = parsed(valid);
  const violatingEvents = parsed(violating);
  const verdict = plan.check(violatingEvents[0] as SegmentEvent);
  if (verdict.kind !== 'block' || verdict.violations.length !== VIOLATIONS_PER_EVENT) {
    throw new Error(`expected ${VIOLATIONS_PER_EVENT} violations, got ${JSON.stringify(verdict)}`);
  }

  const microsPerEvent = await perEventMicros<PlanCaseId>({
    'no-plan': request(withoutPlan, valid),
    'plan-valid': request(blocking, valid),
    'plan-flagged': request(flagging, violating),
    'plan-blocked': request(blocking, violating),
    'check-valid': () => {
      for (const event of validEvents) plan.check(event);
    },
    'check-violating': () => {
      for (const event of violatingEvents) plan.check(event);
    },
  });
  const result: PlanValidationResult = {
    batch: BATCH,
    ...planSize(),
    violationsPerEvent: VIOLATIONS_PER_EVENT,
    microsPerEvent,
    firstLoadWithPlanMs,
    loadWithoutPlanMs,
    compileMs,
  };
  process.send?.({ type: 'result', result });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
