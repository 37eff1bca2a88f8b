import { performance } from 'node:perf_hooks';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { OutgoingRecord } from '../lambda/delivery/record-writer';
import { toEnvelope } from '../lambda/events/envelope';
import { partitionKeyFor } from '../lambda/events/partition-key';
import { validateEvent } from '../lambda/events/validate-event';
import type { BenchChild } from './child';
import { batchBody, trackEvents } from './events';
import { postAll } from './http-load';
import { putRecordEach, putRecordsAll, recreateStream, type Verification, verifyStream } from './kinesis-io';
import { percentile } from './stats';

/** Where the throughput scenarios run: one emulator child, the collector children, one stream. */
export interface Rig {
  readonly emulator: BenchChild;
  /** The emulator's loopback URL. */
  readonly endpoint: string;
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly shards: number;
  readonly writeKey: string;
  /** The collector as `npm start` runs it (PutRecords writer). */
  readonly collector: { readonly url: string; readonly child: BenchChild };
  /** The same handler with a one-PutRecord-per-event writer (peer style inside the function). */
  readonly putRecordCollector: { readonly url: string; readonly child: BenchChild };
  /** Requests (or SDK calls) in flight at once, for every scenario. */
  readonly concurrency: number;
}

export type ScenarioId =
  | 'ceiling-putrecords-500'
  | 'ours-http-batch-500'
  | 'ours-http-batch-100'
  | 'ours-http-batch-20'
  | 'peer-putrecord-per-event'
  | 'peer-http-per-event'
  | 'peer-lambda-putrecord-batch-20';

export interface Scenario {
  readonly id: ScenarioId;
  readonly description: string;
  /** Events per measured run. */
  readonly events: number;
  /** Builds what the run sends (untimed), then returns the timed part. */
  prepare(rig: Rig, events: Record<string, unknown>[]): () => Promise<void>;
  /** The collector child whose handler durations belong to this scenario, if any. */
  collectorOf?(rig: Rig): BenchChild;
}

export interface RunResult {
  readonly scenario: ScenarioId;
  readonly round: number;
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** Kinesis API calls the emulator received during the timed part, by operation. */
  readonly calls: Record<string, number>;
  readonly writeCallsPerEvent: number;
  /** Handler duration per request (ms) inside the collector, when a collector was involved. */
  readonly handlerMs?: {
    readonly p50: number;
    readonly p90: number;
    readonly mean: number;
    readonly requests: number;
  };
  /** CPU time (ms) per 1,000 events in each process during the timed part. */
  readonly cpuMsPer1000Events: {
    readonly bench: number;
    readonly emulator: number;
    readonly collector?: number;
  };
  readonly verification: Verification;
}

/** The records our handler writes for these events (same envelope bytes and partition keys). */
export function envelopeRecords(events: readonly Record<string, unknown>[]): OutgoingRecord[] {
  const receipt = { receivedAt: Date.now(), sourceId: 'dev', sourceIp: '127.0.0.1' };
  return events.map((message) => {
    const validation = validateEvent(message);
    if (!validation.ok) throw new Error(`generated event is invalid: ${validation.reason}`);
    const envelope = toEnvelope(validation.event, receipt, 'local-kinesis');
    const ids = { eventId: envelope.event_id, userId: envelope.user_id, anonymousId: envelope.anonymous_id };
    return { data: Buffer.from(JSON.stringify(envelope)), partitionKey: partitionKeyFor(ids, 'user') };
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}

function httpBatches(size: number, collector: (rig: Rig) => { url: string }) {
  return (rig: Rig, events: Record<string, unknown>[]) => {
    const bodies = chunks(events, size).map(batchBody);
    const load = {
      url: collector(rig).url,
      path: '/v1/batch',
      writeKey: rig.writeKey,
      concurrency: rig.concurrency,
    };
    return () => postAll(load, bodies);
  };
}

/** The scenarios of items 1-3 (and the 20-event duration used by the cost model). */
export function scenarios(sizes: { batched: number; perEvent: number }): Scenario[] {
  return [
    {
      id: 'ceiling-putrecords-500',
      description: 'plain SDK script: PutRecords of 500 records (the envelopes our handler writes)',
      events: sizes.batched,
      prepare: (rig, events) => {
        const records = envelopeRecords(events);
        return () => putRecordsAll(rig.client, rig.streamName, records, 500, rig.concurrency);
      },
    },
    {
      id: 'ours-http-batch-500',
      description: 'HTTP /v1/batch of 500 events -> local API Gateway -> handler -> PutRecords',
      events: sizes.batched,
      prepare: httpBatches(500, (rig) => rig.collector),
      collectorOf: (rig) => rig.collector.child,
    },
    {
      id: 'ours-http-batch-100',
      description: 'HTTP /v1/batch of 100 events -> local API Gateway -> handler -> PutRecords',
      events: sizes.batched,
      prepare: httpBatches(100, (rig) => rig.collector),
      collectorOf: (rig) => rig.collector.child,
    },
    {
      id: 'ours-http-batch-20',
      description: 'HTTP /v1/batch of 20 events (analytics-node default flushAt) through our collector',
      events: sizes.perEvent * 2,
      prepare: httpBatches(20, (rig) => rig.collector),
      collectorOf: (rig) => rig.collector.child,
    },
    {
      id: 'peer-putrecord-per-event',
      description: 'peer style: one PutRecord per event from a plain SDK script',
      events: sizes.perEvent,
      prepare: (rig, events) => {
        const records = envelopeRecords(events);
        return () => putRecordEach(rig.client, rig.streamName, records, rig.concurrency);
      },
    },
    {
      id: 'peer-http-per-event',
      description:
        'peer style: one HTTP request per event (/v1/track, analytics-next default) through our collector',
      events: sizes.perEvent,
      prepare: (rig, events) => {
        const bodies = events.map((event) => JSON.stringify(event));
        const load = {
          url: rig.collector.url,
          path: '/v1/track',
          writeKey: rig.writeKey,
          concurrency: rig.concurrency,
        };
        return () => postAll(load, bodies);
      },
      collectorOf: (rig) => rig.collector.child,
    },
    {
      id: 'peer-lambda-putrecord-batch-20',
      description:
        'HTTP /v1/batch of 20 events to the same handler built with a one-PutRecord-per-event writer',
      events: sizes.perEvent * 2,
      prepare: httpBatches(20, (rig) => rig.putRecordCollector),
      collectorOf: (rig) => rig.putRecordCollector.child,
    },
  ];
}

/** One measured run: fresh stream, prepared load, timed send, call counts, full verification. */
export async function runScenario(
  rig: Rig,
  scenario: Scenario,
  round: number,
  events: number,
): Promise<RunResult> {
  const runId = `${scenario.id}-r${round}`;
  const generated = trackEvents(events, runId);
  await recreateStream(rig.client, rig.streamName, rig.shards);
  const send = scenario.prepare(rig, generated);
  const collector = scenario.collectorOf?.(rig);
  await collector?.ask('durations');
  await rig.emulator.ask('reset');
  const benchCpu = process.cpuUsage();
  const start = performance.now();
  await send();
  const ms = performance.now() - start;
  const benchCpuUsed = process.cpuUsage(benchCpu);
  const emulated = await rig.emulator.ask<{ counts: Record<string, number>; cpuMs: number }>('counts');
  const counts = emulated.counts;
  const collected = collector
    ? await collector.ask<{ durations: number[]; cpuMs: number }>('durations')
    : undefined;
  const durations = collected?.durations;
  const per1000 = (cpuMs: number) => (cpuMs / events) * 1000;
  const verification = await verifyStream(
    rig.client,
    rig.streamName,
    generated.map((event) => String(event.messageId)),
  );
  const writeCalls = (counts.PutRecords ?? 0) + (counts.PutRecord ?? 0);
  return {
    scenario: scenario.id,
    round,
    events,
    ms,
    eventsPerSecond: events / (ms / 1000),
    calls: counts,
    writeCallsPerEvent: writeCalls / events,
    cpuMsPer1000Events: {
      bench: per1000((benchCpuUsed.user + benchCpuUsed.system) / 1000),
      emulator: per1000(emulated.cpuMs),
      ...(collected === undefined ? {} : { collector: per1000(collected.cpuMs) }),
    },
    ...(durations === undefined
      ? {}
      : {
          handlerMs: {
            p50: percentile(durations, 50),
            p90: percentile(durations, 90),
            mean: durations.reduce((sum, value) => sum + value, 0) / Math.max(1, durations.length),
            requests: durations.length,
          },
        }),
    verification,
  };
}

/** Handler duration with one request in flight (no queueing): what one Lambda invocation bills. */
export interface LatencyResult {
  readonly label: string;
  readonly eventsPerRequest: number;
  readonly requests: number;
  readonly handlerMs: { readonly p50: number; readonly p90: number; readonly mean: number };
}

/** Sends `requests` requests one after another and reads the handler durations the collector saw. */
export async function measureLatency(
  rig: Rig,
  label: string,
  collector: { readonly url: string; readonly child: BenchChild },
  eventsPerRequest: number,
  requests: number,
): Promise<LatencyResult> {
  await recreateStream(rig.client, rig.streamName, rig.shards);
  const events = trackEvents(eventsPerRequest * requests, `latency-${label}`);
  const single = eventsPerRequest === 1;
  const bodies = single
    ? events.map((event) => JSON.stringify(event))
    : chunks(events, eventsPerRequest).map(batchBody);
  const load = {
    url: collector.url,
    path: single ? '/v1/track' : '/v1/batch',
    writeKey: rig.writeKey,
    concurrency: 1,
  };
  await postAll(load, bodies.slice(0, 5));
  await collector.child.ask('durations');
  await postAll(load, bodies.slice(5));
  const { durations } = await collector.child.ask<{ durations: number[] }>('durations');
  return {
    label,
    eventsPerRequest,
    requests: durations.length,
    handlerMs: {
      p50: percentile(durations, 50),
      p90: percentile(durations, 90),
      mean: durations.reduce((sum, value) => sum + value, 0) / Math.max(1, durations.length),
    },
  };
}
