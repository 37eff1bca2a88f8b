import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { readRuntimeConfig } from './config/runtime-config';
import { createKinesisClient } from './delivery/kinesis-client';
import { KinesisRecordWriter } from './delivery/kinesis-record-writer';
import { createHandler } from './handler';
import { SecretWriteKeys } from './http/secret-write-keys';
import { createLogger } from './observability/logger';

/**
 * The Lambda entry point. Everything here runs once per container (cold start): configuration is
 * read and validated, and each destination's Kinesis client and writer are built and reused.
 */
const config = readRuntimeConfig(process.env);
const logger = createLogger();

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

/** Seconds a fetched write-key secret is reused before it is read again (rotation delay). */
const WRITE_KEYS_MAX_AGE_SECONDS = 300;

/** Keys from the `WRITE_KEYS_SECRET_ARN` secret, cached by Powertools Parameters for the max age. */
function secretWriteKeys(secretArn: string): SecretWriteKeys {
  const secrets = new SecretsProvider();
  return new SecretWriteKeys(
    config.sources,
    () => secrets.get(secretArn, { maxAge: WRITE_KEYS_MAX_AGE_SECONDS, transform: 'json' }),
    {
      retryAfterSeconds: config.delivery.retryAfterSeconds,
      onUnknownSource: (sourceId) => logger.warn('Write-key secret names an unknown source', { sourceId }),
    },
  );
}

const secretArn = process.env.WRITE_KEYS_SECRET_ARN;

export const handler = createHandler({
  config,
  writers,
  logger,
  writeKeys: secretArn ? secretWriteKeys(secretArn) : undefined,
});
