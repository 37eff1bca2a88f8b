import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { awsConfigStores } from './composition/aws-config-stores';
import { DestinationWriterCache } from './composition/destination-writer-cache';
import { LazyStores } from './composition/lazy-stores';
import { streamWriterChain } from './composition/stream-writer-chain';
import { WriteKeysReader } from './composition/write-keys-reader';
import type { RuntimeConfig } from './config/runtime-config';
import { type ConfigDocumentStores, runtimeConfigSource } from './config/runtime-config-source';
import { DeliveryDiagnostics } from './delivery/delivery-diagnostics';
import { FixedHashKey, type HashKeySource, SecretHashKey, UnavailableHashKey } from './delivery/hash-key';
import type { KinesisClientOptions } from './delivery/kinesis-client';
import { createSpillStore } from './delivery/spill-store-config';
import { type CollectorHandler, createHandler } from './handler';

export type { CollectorHandler } from './handler';

import { type FieldHashKey, LOCAL_DEV_HASH_KEY, needsHashKey } from './events/field-rules';
import { jsonResponse } from './http/json-response';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';

export interface CollectorOptions {
  /** The function's environment, read once. */
  readonly env: NodeJS.ProcessEnv;
  /** @default createLogger() */
  readonly logger?: Logger;
  /** @default createMetrics() */
  readonly metrics?: Metrics;
  /** How Kinesis clients get credentials (tests: the caller keys that sign AssumeRole). */
  readonly clientOptions?: KinesisClientOptions;
  /** Where remote configuration documents are read. @default SsmParameterReader and the Powertools Secrets provider */
  readonly configStores?: ConfigDocumentStores;
}

/** `Retry-After` when no configuration could be read at all. */
const CONFIG_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Seconds a fetched write-key secret is reused before it is read again (rotation delay). */
const WRITE_KEYS_MAX_AGE_SECONDS = 300;

/**
 * Builds the collector of one container: the configuration source, and per configuration the
 * handler with one writer per destination. A destination's Kinesis client (and with it its cached
 * assumed-role credentials) lives as long as its settings do: a reloaded document that leaves a
 * destination unchanged does not cost another AssumeRole.
 */
export function createCollector(options: CollectorOptions): CollectorHandler {
  const { env } = options;
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createMetrics(env);
  /** One Secrets Manager provider (and cache) for the configuration document and the write keys. */
  let secretsProvider: SecretsProvider | undefined;
  const secrets = () => {
    secretsProvider ??= new SecretsProvider();
    return secretsProvider;
  };
  const stores = options.configStores ?? awsConfigStores(secrets);
  const source = runtimeConfigSource(env, stores, {
    onInvalid: (error) =>
      logger.error('The new collector configuration is invalid; the last valid one stays in use', {
        problems: error.message,
      }),
    onUnavailable: (error) =>
      logger.warn('The collector configuration cannot be read; the last one read stays in use', {
        error: error as Error,
      }),
  });
  const diagnostics = new DeliveryDiagnostics({ logger, metrics });
  /** `SPILL_QUEUE_URL` (SQS) or `SPILL_DIR` (files): where events go that the stream still refuses. */
  const spillStore = createSpillStore(env);
  /**
   * The deployment's hash key, one for keyed `redact.hash` rules and suppressed ids: read once per
   * container from `FIELD_HASH_KEY_SECRET_ARN` by the first request that needs it; outside Lambda
   * (local mode, tests) without it, the fixed, public dev key. In Lambda without the secret, an event
   * a keyed rule applies to is refused and a suppression source answers 503: never written unhashed,
   * never checked with a key that is not secret.
   */
  const hashKeySecretArn = env.FIELD_HASH_KEY_SECRET_ARN || undefined;
  const localHashKey = hashKeySecretArn === undefined && env.AWS_LAMBDA_FUNCTION_NAME === undefined;
  const hashKeySource: HashKeySource =
    hashKeySecretArn !== undefined
      ? new SecretHashKey(hashKeySecretArn, (id) => secrets().get(id, { transform: 'json' }))
      : localHashKey
        ? new FixedHashKey()
        : new UnavailableHashKey(
            'FIELD_HASH_KEY_SECRET_ARN is not set: there is no hash key to hash ids with',
          );
  /** The key field rules hash with, once read (from the start in local mode). */
  let hashKey: FieldHashKey | undefined = localHashKey ? LOCAL_DEV_HASH_KEY : undefined;
  const lazyStores = new LazyStores(env, {
    key: hashKeySource,
    onFailure: (error) => {
      metrics.addMetric('SuppressionUnavailable', MetricUnit.Count, 1);
      logger.warn('The suppression lookup failed; the request is answered 503 (fail closed)', {
        error: error as Error,
      });
    },
  });
  const secretArn = env.WRITE_KEYS_SECRET_ARN || undefined;
  const writeKeysReader =
    secretArn === undefined
      ? undefined
      : new WriteKeysReader(secretArn, secrets, WRITE_KEYS_MAX_AGE_SECONDS, logger);
  /** The same-origin path's origin secret (`ORIGIN_SECRET_ENV`): trusts CloudFront-Viewer-Address with it. */
  const originSecret = env.SAME_ORIGIN_SECRET || undefined;

  /** Reports a prefetch that failed: once, at debug level, as the request that needs it asks again. */
  const prefetchFailed = (what: string, error: unknown, destinationId?: string) =>
    logger.debug(`Prefetching ${what} at cold start failed; the first request that needs it asks again`, {
      ...(destinationId === undefined ? {} : { destinationId }),
      error: error as Error,
    });
  const destinationWriters = new DestinationWriterCache({
    logger,
    metrics,
    diagnostics,
    ...(options.clientOptions === undefined ? {} : { clientOptions: options.clientOptions }),
    streamWriter: streamWriterChain({ logger, metrics, diagnostics, spillStore }),
    seenStoreFor: (config) => lazyStores.seenStoreFor(config),
    prefetchFailed,
  });

  /** The handler of `config`; with `prefetch`, each destination's client starts its AssumeRole now. */
  const build = (config: RuntimeConfig, prefetch = false): CollectorHandler => {
    const { writers, failedWriters } = destinationWriters.writersFor(config, prefetch);
    const writeKeys = writeKeysReader?.writeKeysFor(config);
    const suppression = lazyStores.suppressionFor(config);
    return createHandler({
      config,
      writers,
      ...(suppression === undefined ? {} : { suppression }),
      failedWriters,
      logger,
      writeKeys,
      metrics,
      ...(originSecret === undefined ? {} : { originSecret }),
      ...(hashKey === undefined ? {} : { hashKey }),
    });
  };

  let current: { config: RuntimeConfig; handler: CollectorHandler } | undefined;
  const { fixed } = source;
  if (fixed !== undefined) {
    // Cold start with the configuration known (COLLECTOR_CONFIG, COLLECTOR_CONFIG_FILE): the handler is
    // built now, and the write-key secret read and each writer role's AssumeRole start now, side by
    // side, without being awaited: the first request takes what they fetched instead of waiting for
    // them one after the other (see Prefetch for what it takes and when it calls again).
    writeKeysReader?.prefetchNow((error) => prefetchFailed('the write keys', error));
    current = { config: fixed, handler: build(fixed, true) };
  }
  return async (event, context) => {
    let config: RuntimeConfig;
    try {
      config = await source.current();
    } catch (error) {
      // No valid configuration yet (the first read failed): our fault, so a status the SDKs retry.
      logger.error('No collector configuration could be read; answering 503', { error: error as Error });
      return jsonResponse(
        503,
        { error: 'The collector is not configured yet; send the request again' },
        {
          'Retry-After': String(CONFIG_UNAVAILABLE_RETRY_AFTER_SECONDS),
        },
      );
    }
    if (
      hashKey === undefined &&
      hashKeySecretArn !== undefined &&
      (config.sources.some((s) => needsHashKey(s.pipeline.redact)) ||
        config.destinations.some((d) => needsHashKey(d.redact)))
    ) {
      try {
        hashKey = await hashKeySource.key();
        current = undefined;
      } catch (error) {
        logger.error('The hash key cannot be read; answering 503', { error: error as Error });
        return jsonResponse(
          503,
          { error: 'The collector cannot hash fields right now; send the request again' },
          { 'Retry-After': String(CONFIG_UNAVAILABLE_RETRY_AFTER_SECONDS) },
        );
      }
    }
    if (current?.config !== config) {
      if (current !== undefined) logger.info('Collector configuration changed', { origin: source.origin });
      current = { config, handler: build(config) };
    }
    return current.handler(event, context);
  };
}
