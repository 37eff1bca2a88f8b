/**
 * Section 11: deduplication by `messageId` (sources[].dedup). The ingest use case writes batches to a
 * fresh stream on the emulator through the collector's own writer composition (Kinesis writer,
 * deduplicating writer, DynamoDB seen store on an in-process dynalite), then sends every batch again
 * (an SDK retry: every event a duplicate), and the same batches once more without dedup. It counts
 * the DynamoDB calls and request units per event and the handler's added latency per request.
 */
import type { AddressInfo } from 'node:net';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { parseRuntimeConfig, type RuntimeSource } from '../lambda/config/runtime-config';
import { withDedup } from '../lambda/delivery/deduplicating-record-writer';
import { DynamoDbSeenStore } from '../lambda/delivery/dynamodb-seen-store';
import { createKinesisClient } from '../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../lambda/delivery/kinesis-record-writer';
import { Ingest } from '../lambda/ingest/ingest';
import { createDynalite } from '../local/dynalite';
import { emulatorDynamoDbClient, ensureSeenTable } from '../local/seen-table';
import { trackEvent } from './events';
import { recreateStream } from './kinesis-io';

/** The nearest-rank percentile of `values` (p in 0-100). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** One pass over the batches: how the requests went and what DynamoDB was asked. */
export interface DedupPass {
  readonly id: 'without-dedup' | 'dedup-new' | 'dedup-duplicates';
  readonly label: string;
  readonly events: number;
  readonly requests: number;
  readonly written: number;
  readonly duplicates: number;
  /** Handler (ingest use case) duration per request, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly batchGetCalls: number;
  readonly putItemCalls: number;
}

/**
 * DynamoDB on-demand prices the cost per million events is computed with (us-east-1, Standard table
 * class): a strongly consistent read of an item up to 4 KB is 1 read request unit (a key with no
 * item too), a write of an item up to 1 KB is 1 write request unit; a mark is < 200 bytes.
 */
export const DYNAMODB_PRICES = {
  region: 'us-east-1',
  readRequestUnitsPerMillionUsd: 0.125,
  writeRequestUnitsPerMillionUsd: 0.625,
  page: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand, Standard table class)',
  source:
    'the unit rules quoted from the AWS page as stored by the search index; the two prices as public copies of that page checked in October 2026 give them (the stored excerpt has no number)',
} as const;

export interface DedupResult {
  readonly eventsPerRequest: number;
  readonly passes: readonly DedupPass[];
  readonly prices: typeof DYNAMODB_PRICES;
}

/** Counts the DynamoDB calls a client sends, by command name. */
function countCalls(client: ReturnType<typeof emulatorDynamoDbClient>): Record<string, number> {
  const counts: Record<string, number> = {};
  const send = client.send.bind(client) as (command: object) => Promise<unknown>;
  (client as { send: unknown }).send = (command: object) => {
    const name = command.constructor.name;
    counts[name] = (counts[name] ?? 0) + 1;
    return send(command);
  };
  return counts;
}

export async function measureDedup(options: {
  readonly endpoint: string;
  readonly client: KinesisClient;
  readonly requests: number;
  readonly eventsPerRequest: number;
}): Promise<DedupResult> {
  const server = createDynalite();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dynamoEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dynamo = emulatorDynamoDbClient(dynamoEndpoint, 'us-east-1');
  try {
    await ensureSeenTable(dynamo, 'bench-dedup');
    const counts = countCalls(dynamo);
    const streamName = 'bench-dedup';
    await recreateStream(options.client, streamName, 2);
    const config = parseRuntimeConfig({
      sources: [{ id: 'bench', writeKeys: ['k'], destinations: ['d'], dedup: { windowHours: 24 } }],
      destinations: [
        {
          id: 'd',
          streamName,
          region: 'us-east-1',
          endpoint: options.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
      ],
    });
    const [source] = config.sources as [RuntimeSource];
    const [destination] = config.destinations;
    const kinesis = new KinesisRecordWriter({
      client: createKinesisClient(destination as NonNullable<typeof destination>),
      streamName,
      backoff: config.delivery,
    });
    const store = new DynamoDbSeenStore({ client: dynamo, tableName: 'bench-dedup' });
    const ingestWith = (dedup: boolean) =>
      new Ingest({
        writers: new Map([['d', dedup ? withDedup(kinesis, 'd', store) : kinesis]]),
        maxEventBytes: config.limits.maxEventBytes,
      });
    const batches = (prefix: string) =>
      Array.from({ length: options.requests }, (_, request) =>
        Array.from({ length: options.eventsPerRequest }, (_, index) => ({
          ...trackEvent(request * options.eventsPerRequest + index, `bench-dedup-${request}`),
          messageId: `${prefix}-${request}-${index}`,
        })),
      );
    const pass = async (
      id: DedupPass['id'],
      label: string,
      ingest: Ingest,
      sent: readonly object[][],
      withSource: RuntimeSource,
    ): Promise<DedupPass> => {
      const before = { ...counts };
      const durations: number[] = [];
      let written = 0;
      let duplicates = 0;
      for (const messages of sent) {
        const start = performance.now();
        const outcome = await ingest.ingest({
          source: withSource,
          messages,
          receivedAt: Date.now(),
          deadline: Date.now() + 10_000,
        });
        durations.push(performance.now() - start);
        if (outcome.kind !== 'delivered') throw new Error(`bench dedup: ${label}: ${outcome.kind}`);
        duplicates += outcome.duplicates ?? 0;
        written += outcome.accepted - (outcome.duplicates ?? 0);
      }
      const delta = (name: string) => (counts[name] ?? 0) - (before[name] ?? 0);
      return {
        id,
        label,
        events: sent.length * options.eventsPerRequest,
        requests: sent.length,
        written,
        duplicates,
        p50Ms: percentile(durations, 50),
        p99Ms: percentile(durations, 99),
        batchGetCalls: delta('BatchGetItemCommand'),
        putItemCalls: delta('PutItemCommand'),
      };
    };
    const { dedup: _, ...plainSource } = source;
    const deduped = batches('dedup');
    // Warm-up: the clients' connections and the code paths, not measured.
    await ingestWith(true).ingest({
      source,
      messages: batches('warm')[0] ?? [],
      receivedAt: Date.now(),
      deadline: Date.now() + 10_000,
    });
    const passes = [
      await pass('without-dedup', 'without dedup', ingestWith(false), batches('plain'), plainSource),
      await pass('dedup-new', 'dedup, every event new', ingestWith(true), deduped, source),
      await pass('dedup-duplicates', 'dedup, every event a retry', ingestWith(true), deduped, source),
    ];
    return { eventsPerRequest: options.eventsPerRequest, passes, prices: DYNAMODB_PRICES };
  } finally {
    dynamo.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
