/**
 * Child-process entry of item 4: the handler's CPU per event with I/O stubbed out, for a 500-event
 * batch of ~1 KB events. Run in a fresh process so nothing else shares its event loop or JIT.
 * Each figure is microseconds per event; samples are repeated and summarised by the parent.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../lambda/delivery/record-writer';
import { toEnvelope } from '../lambda/events/envelope';
import type { SegmentEvent } from '../lambda/events/segment-event';
import { validateEvent } from '../lambda/events/validate-event';
import { createHandler } from '../lambda/handler';
import { Ingest } from '../lambda/ingest/ingest';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { batchApiEvent, batchBody, trackEvents } from './events';

const BATCH = 500;
const SAMPLES = Number(process.env.BENCH_CPU_SAMPLES ?? 9);
const ITERATIONS = Number(process.env.BENCH_CPU_ITERATIONS ?? 20);

const settings = localModeSettings({ WRITE_KEY: 'bench-write-key' });
const config = parseRuntimeConfig(localCollectorConfig(settings, 'http://127.0.0.1:9'));
const source = config.sources[0] as (typeof config.sources)[number];
const logger = new Logger({ serviceName: 'bench', logLevel: 'WARN' });

/** A writer that takes every record at once: no network, no SDK. */
const stubWriter: RecordWriter = {
  write: async (records) => ({ failed: [], calls: Math.ceil(records.length / BATCH) }),
};

/**
 * The real writer and SDK client (serialisation, SigV4 signing, deserialisation) over an HTTP
 * handler that answers every PutRecords call at once with a canned success for 500 records.
 */
function sdkWriter(): RecordWriter {
  const answer = Buffer.from(
    JSON.stringify({
      FailedRecordCount: 0,
      Records: Array.from({ length: BATCH }, (_, index) => ({
        SequenceNumber: `4963000000000000000000000000000000000000000000000${index}`,
        ShardId: 'shardId-000000000000',
      })),
    }),
  );
  const requestHandler = {
    handle: async () => ({
      response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: answer },
    }),
  };
  const client = new KinesisClient({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: requestHandler as never,
  });
  return new KinesisRecordWriter({ client, streamName: 'bench', backoff: config.delivery });
}

const events = trackEvents(BATCH, 'cpu');
const body = batchBody(events);
const messages = (JSON.parse(body) as { batch: unknown[] }).batch;
const destination = config.destinations[0]?.id as string;

const apiEvent = () => batchApiEvent(body, 'bench');

const context = {
  awsRequestId: 'bench',
  functionName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

async function perEventMicros(task: () => unknown): Promise<number[]> {
  for (let warm = 0; warm < ITERATIONS * 2; warm++) await task();
  const samples: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const start = performance.now();
    for (let iteration = 0; iteration < ITERATIONS; iteration++) await task();
    samples.push(((performance.now() - start) * 1000) / ITERATIONS / BATCH);
  }
  return samples;
}

async function main(): Promise<void> {
  const ingestStub = new Ingest({ writers: new Map([[destination, stubWriter]]), maxEventBytes: 32 * 1024 });
  const handlerStub = createHandler({ config, writers: new Map([[destination, stubWriter]]), logger });
  const handlerSdk = createHandler({ config, writers: new Map([[destination, sdkWriter()]]), logger });
  const request = () => ({
    source,
    messages,
    receivedAt: Date.now(),
    sourceIp: '127.0.0.1',
    deadline: Date.now() + 5_000,
  });
  const check = async (handler: typeof handlerStub) => {
    const answer = (await handler(apiEvent(), context)) as { statusCode?: number; body?: string };
    if (answer.statusCode !== 200) throw new Error(`handler answered ${answer.statusCode}: ${answer.body}`);
  };
  await check(handlerStub);
  await check(handlerSdk);

  const validated = messages.map((message) => (validateEvent(message) as { event: SegmentEvent }).event);
  const receipt = { receivedAt: Date.now(), sourceId: source.id, sourceIp: '127.0.0.1' };
  const envelopes = validated.map((event) => toEnvelope(event, receipt, destination));

  const results = {
    ingestUseCase: await perEventMicros(() => ingestStub.ingest(request())),
    middyHandler: await perEventMicros(() => handlerStub(apiEvent(), context)),
    middyHandlerWithSdk: await perEventMicros(() => handlerSdk(apiEvent(), context)),
    bareParseStringify: await perEventMicros(() => {
      const parsed = JSON.parse(body) as { batch: unknown[] };
      for (const message of parsed.batch) JSON.stringify(message);
    }),
    bareStringify: await perEventMicros(() => {
      for (const message of messages) JSON.stringify(message);
    }),
    parseBody: await perEventMicros(() => JSON.parse(body)),
    validate: await perEventMicros(() => {
      for (const message of messages) validateEvent(message);
    }),
    envelope: await perEventMicros(() => {
      for (const event of validated) toEnvelope(event, receipt, destination);
    }),
    serialise: await perEventMicros(() => {
      for (const envelope of envelopes) Buffer.from(JSON.stringify(envelope), 'utf8');
    }),
  };
  process.send?.({ type: 'result', results, batch: BATCH, bodyBytes: Buffer.byteLength(body) });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
