import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  parseRuntimeConfig,
  type RuntimeConfigInput,
  type RuntimeDestination,
} from '../../lambda/config/runtime-config';
import { AggregatingRecordWriter } from '../../lambda/delivery/aggregating-record-writer';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import { createHandler } from '../../lambda/handler';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import { createKinesalite } from '../../local/kinesalite';
import { emulatorClient, emulatorCredentials } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { readAllRecords, type StoredRecord } from './stream-reader';

export const TEST_WRITE_KEY = 'test-write-key';
export const TEST_SOURCE_ID = 'test-source';
export const TEST_DESTINATION_ID = 'test-kinesis';

/** An in-process kinesalite on a free loopback port (fine for tests; local mode uses a child process). */
export async function startTestKinesis(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = createKinesalite();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let streamCounter = 0;

export interface TestCollector {
  /** The collector's base URL (local API Gateway stand-in). */
  readonly url: string;
  readonly streamName: string;
  readonly kinesis: KinesisClient;
  readonly logger: Logger;
  /** Every record in the stream so far, all shards. */
  records(): Promise<StoredRecord[]>;
  stop(): Promise<void>;
}

export interface TestCollectorOptions {
  /** Overrides merged into the default one-source, one-destination configuration. */
  readonly config?: (defaults: RuntimeConfigInput) => RuntimeConfigInput;
  /** Wraps each destination's writer, e.g. to inject faults (or replaces it, built from `destination`). */
  readonly wrapWriter?: (
    writer: RecordWriter,
    destinationId: string,
    destination: RuntimeDestination,
  ) => RecordWriter;
  readonly shardCount?: number;
  /** The function timeout the local API Gateway reports. */
  readonly timeoutMs?: number;
}

/**
 * The real local path for integration tests: kinesalite over real HTTP, a fresh stream, the real
 * handler behind the local API Gateway, on free loopback ports.
 */
export async function startTestCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  const kinesisServer = await startTestKinesis();
  const streamName = `test-events-${process.pid}-${++streamCounter}`;
  const kinesis = emulatorClient(kinesisServer.endpoint, 'us-east-1');
  await ensureStream(kinesis, streamName, options.shardCount ?? 2);
  const defaults: RuntimeConfigInput = {
    sources: [{ id: TEST_SOURCE_ID, writeKeys: [TEST_WRITE_KEY], destinations: [TEST_DESTINATION_ID] }],
    destinations: [
      {
        id: TEST_DESTINATION_ID,
        streamName,
        region: 'us-east-1',
        endpoint: kinesisServer.endpoint,
        credentials: emulatorCredentials(),
      },
    ],
  };
  const config = parseRuntimeConfig(options.config ? options.config(defaults) : defaults);
  const writers = new Map<string, RecordWriter>(
    config.destinations.map((destination) => {
      const kinesisWriter = new KinesisRecordWriter({
        client: createKinesisClient(destination),
        streamName: destination.streamName,
        backoff: config.delivery,
      });
      const writer = destination.aggregate ? new AggregatingRecordWriter(kinesisWriter) : kinesisWriter;
      return [
        destination.id,
        options.wrapWriter ? options.wrapWriter(writer, destination.id, destination) : writer,
      ];
    }),
  );
  // A destination's failed-events stream (`failedStreamName`), on the same kinesalite.
  const failedWriters = new Map<string, RecordWriter>();
  for (const destination of config.destinations) {
    if (destination.failedStreamName === undefined) continue;
    await ensureStream(kinesis, destination.failedStreamName, 1);
    failedWriters.set(
      destination.id,
      new KinesisRecordWriter({
        client: createKinesisClient(destination),
        streamName: destination.failedStreamName,
        backoff: config.delivery,
      }),
    );
  }
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const handler = createHandler({ config, writers, failedWriters, logger, hashKey: LOCAL_DEV_HASH_KEY });
  const collector: ApiGatewayServer = await startApiGatewayServer({
    handler,
    port: 0,
    timeoutMs: options.timeoutMs,
  });
  return {
    url: collector.url,
    streamName,
    kinesis,
    logger,
    records: () => readAllRecords(kinesis, streamName),
    stop: async () => {
      await collector.close();
      kinesis.destroy();
      await kinesisServer.stop();
    },
  };
}

/**
 * An in-process kinesalite and a client for it, for the `describe` block this is called in: started
 * before its tests, stopped after them.
 */
export function useTestKinesis(): { readonly endpoint: string; readonly client: KinesisClient } {
  let server: Awaited<ReturnType<typeof startTestKinesis>> | undefined;
  let client: KinesisClient | undefined;
  beforeAll(async () => {
    server = await startTestKinesis();
    client = emulatorClient(server.endpoint, 'us-east-1');
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  return {
    get endpoint() {
      if (server === undefined) throw new Error('useTestKinesis: used before its beforeAll ran');
      return server.endpoint;
    },
    get client() {
      if (client === undefined) throw new Error('useTestKinesis: used before its beforeAll ran');
      return client;
    },
  };
}
