import { readRuntimeConfig } from './config/runtime-config';
import { createKinesisClient } from './delivery/kinesis-client';
import { KinesisRecordWriter } from './delivery/kinesis-record-writer';
import { createHandler } from './handler';
import { createLogger } from './observability/logger';

/**
 * The Lambda entry point. Everything here runs once per container (cold start): configuration is
 * read and validated, and each destination's Kinesis client and writer are built and reused.
 */
const config = readRuntimeConfig(process.env);

const writers = new Map(
  config.destinations.map((destination) => [
    destination.id,
    new KinesisRecordWriter({
      client: createKinesisClient(destination),
      streamName: destination.streamName,
      backoff: config.delivery,
    }),
  ]),
);

export const handler = createHandler({ config, writers, logger: createLogger() });
