/**
 * Item 8: optional KPL record aggregation. The ingest use case writes the same events to a fresh
 * stream on the emulator twice, plain and aggregated (`destinations[].aggregate`), and counts the
 * Kinesis records, the PUT payload units (25 KB each, provisioned mode) and the billed KB (each
 * record rounded up to 1 KB, on-demand mode). Every event must come back exactly once after
 * deaggregation, or the round is invalid.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import { AggregatingRecordWriter } from '../lambda/delivery/aggregating-record-writer';
import { createKinesisClient } from '../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../lambda/delivery/kinesis-record-writer';
import type { OutgoingRecord, RecordWriter } from '../lambda/delivery/record-writer';
import { Ingest } from '../lambda/ingest/ingest';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { trackEvent } from './events';
import { inParallel, recreateStream, verifyStream } from './kinesis-io';

/** A shape of traffic: how many events each request carries and how many users they come from. */
export interface AggregationCase {
  readonly label: string;
  readonly eventsPerRequest: number;
  readonly usersPerRequest: number;
}

export const AGGREGATION_CASES: readonly AggregationCase[] = [
  { label: 'browser batching: 20 events of one user per request', eventsPerRequest: 20, usersPerRequest: 1 },
  { label: 'server batch: 500 events of 50 users per request', eventsPerRequest: 500, usersPerRequest: 50 },
];

export interface AggregationResult {
  readonly label: string;
  readonly aggregate: boolean;
  readonly events: number;
  readonly kinesisRecords: number;
  readonly putPayloadUnits: number;
  readonly billedKb: number;
  readonly eventsPerSecond: number;
  readonly kinesisRecordsPerSecond: number;
  readonly exactlyOnce: boolean;
}

const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

/** Counts what reaches the Kinesis writer: records, payload units, billed KB. */
function counting(inner: RecordWriter) {
  const totals = { records: 0, units: 0, kb: 0 };
  const writer: RecordWriter = {
    write: (records: readonly OutgoingRecord[], deadline: number) => {
      for (const record of records) {
        const bytes = record.data.byteLength + Buffer.byteLength(record.partitionKey);
        totals.records++;
        totals.units += Math.ceil(bytes / PUT_PAYLOAD_UNIT_BYTES);
        totals.kb += Math.ceil(bytes / 1024);
      }
      return inner.write(records, deadline);
    },
  };
  return { writer, totals };
}

export async function measureAggregation(options: {
  readonly endpoint: string;
  readonly client: KinesisClient;
  readonly events: number;
  readonly shards: number;
  readonly concurrency: number;
}): Promise<AggregationResult[]> {
  const results: AggregationResult[] = [];
  for (const [caseIndex, shape] of AGGREGATION_CASES.entries()) {
    for (const aggregate of [false, true]) {
      const streamName = `bench-aggregation-${caseIndex}-${aggregate ? 'kpl' : 'plain'}`;
      await recreateStream(options.client, streamName, options.shards);
      const settings = { ...localModeSettings({ STREAM_NAME: streamName }), region: 'us-east-1' };
      const config = parseRuntimeConfig(localCollectorConfig(settings, options.endpoint));
      const destination = config.destinations[0] as (typeof config.destinations)[number];
      const source = config.sources[0] as (typeof config.sources)[number];
      const kinesis = new KinesisRecordWriter({
        client: createKinesisClient(destination),
        streamName,
        backoff: config.delivery,
      });
      const { writer, totals } = counting(kinesis);
      const ingest = new Ingest({
        writers: new Map([[destination.id, aggregate ? new AggregatingRecordWriter(writer) : writer]]),
        maxEventBytes: config.limits.maxEventBytes,
      });
      const requests = Math.ceil(options.events / shape.eventsPerRequest);
      const ids: string[] = [];
      const batches = Array.from({ length: requests }, (_, request) =>
        Array.from({ length: shape.eventsPerRequest }, (_, n) => {
          const event = trackEvent(request * shape.eventsPerRequest + n, streamName);
          event.userId = `user-${request}-${n % shape.usersPerRequest}`;
          ids.push(String(event.messageId));
          return event;
        }),
      );
      const started = performance.now();
      await inParallel(requests, options.concurrency, async (request) => {
        const outcome = await ingest.ingest({
          source,
          messages: batches[request] as unknown[],
          receivedAt: Date.now(),
          deadline: Date.now() + 6_000,
        });
        if (outcome.kind !== 'delivered') throw new Error(`aggregation bench: ${outcome.kind}`);
      });
      const seconds = (performance.now() - started) / 1000;
      const verification = await verifyStream(options.client, streamName, ids);
      if (!verification.exactlyOnce) throw new Error(`aggregation bench: ${JSON.stringify(verification)}`);
      results.push({
        label: shape.label,
        aggregate,
        events: ids.length,
        kinesisRecords: totals.records,
        putPayloadUnits: totals.units,
        billedKb: totals.kb,
        eventsPerSecond: ids.length / seconds,
        kinesisRecordsPerSecond: totals.records / seconds,
        exactlyOnce: verification.exactlyOnce,
      });
    }
  }
  return results;
}
