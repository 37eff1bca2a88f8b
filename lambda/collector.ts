import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { Prefetch, reuseOr } from './cold-start/prefetch';
import type { RuntimeConfig, RuntimeDestination } from './config/runtime-config';
import { type ConfigDocumentStores, runtimeConfigSource } from './config/runtime-config-source';
import type { SsmParameterReader } from './config/ssm-parameter-reader';
import { withDedup } from './delivery/deduplicating-record-writer';
import { DeliveryDiagnostics } from './delivery/delivery-diagnostics';
import { FixedHmacKey, type HmacKeySource, SecretHmacKey } from './delivery/hmac-key';
import { type HotKeyNotice, withHotKeyRelief } from './delivery/hot-key-record-writer';
import { createKinesisClient, type KinesisClientOptions } from './delivery/kinesis-client';
import { KinesisRecordWriter } from './delivery/kinesis-record-writer';
import type { RecordWriter } from './delivery/record-writer';
import { type SeenStore, UnconfiguredSeenStore } from './delivery/seen-store';
import { createSpillStore } from './delivery/spill-store-config';
import { withSpill } from './delivery/spilling-record-writer';
import { SuppressionCheck } from './delivery/suppression-check';
import { UnconfiguredSuppressionList } from './delivery/suppression-list';
import { failedSpillDestinationId } from './events/failure-record';
import { type CollectorHandler, createHandler } from './handler';
import { loadLazyModule } from './lazy/load-lazy-module';

export type { CollectorHandler } from './handler';

import { fieldHashKeyOf } from './contract/field-hash-key-secret';
import { type FieldHashKey, LOCAL_DEV_HASH_KEY, needsHashKey } from './events/pipeline/field-rules';
import { jsonResponse } from './http/json-response';
import { SecretsManagerWriteKeys } from './http/secrets-manager-write-keys';
import { allObservers, deliveryMetrics } from './observability/delivery-metrics';
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
 * Where remote configuration documents are read: SSM through {@link SsmParameterReader} (the lazy
 * module `ssm-parameter-reader`, loaded only by configurations kept in SSM), Secrets Manager
 * through the Powertools provider the write keys share. Both cache each value for `maxAge`.
 */
function awsConfigStores(secrets: () => SecretsProvider): ConfigDocumentStores {
  let ssm: SsmParameterReader | undefined;
  return {
    parameter: (name, maxAge) => {
      ssm ??= new (loadLazyModule('ssm-parameter-reader').SsmParameterReader)();
      return ssm.get(name, maxAge);
    },
    secret: (secretId, maxAge) => secrets().get(secretId, { maxAge }),
  };
}

interface BuiltDestination {
  /** The destination's settings the writer was built from: a change builds a new one. */
  readonly key: string;
  readonly client: KinesisClient;
  readonly writer: RecordWriter;
  /** The writer of its failed-events stream (`failedStreamName`), same client and guarantees. */
  readonly failedWriter?: RecordWriter;
}

/**
 * Builds the collector of one container: the configuration source, and per configuration the
 * handler with one writer per destination. A destination's Kinesis client (and with it its cached
 * assumed-role credentials) lives as long as its settings do: a reloaded document that leaves a
 * destination unchanged does not cost another AssumeRole.
 */
export function createCollector(options: CollectorOptions): CollectorHandler {
  const { env } = options;
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createMetrics();
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
  const destinations = new Map<string, BuiltDestination>();
  /** The seen store of `dedup` (the lazy module `dynamodb-seen-store`), built by the first configuration that needs it. */
  let seenStore: SeenStore | undefined;
  const seenStoreFor = (config: RuntimeConfig): SeenStore | undefined => {
    if (!config.sources.some((s) => s.dedup !== undefined)) return undefined;
    seenStore ??=
      loadLazyModule('dynamodb-seen-store').createDynamoDbSeenStore(env) ??
      new UnconfiguredSeenStore('DEDUP_TABLE_NAME is not set: events are written without deduplication');
    return seenStore;
  };
  /**
   * The suppression lookup of `suppression` (the lazy module `dynamodb-suppression-list`), built by the
   * first configuration that needs it. The HMAC key: the secret `HMAC_KEY_SECRET_ARN` names, or local
   * mode's fixed dev key when it is not set.
   */
  let suppressionCheck: SuppressionCheck | undefined;
  const suppressionFor = (config: RuntimeConfig): SuppressionCheck | undefined => {
    if (!config.sources.some((s) => s.suppression?.enabled === true)) return undefined;
    const keyArn = env.HMAC_KEY_SECRET_ARN || undefined;
    const key: HmacKeySource =
      keyArn === undefined
        ? new FixedHmacKey()
        : new SecretHmacKey(keyArn, (id) => secrets().get(id, { maxAge: WRITE_KEYS_MAX_AGE_SECONDS }));
    suppressionCheck ??= new SuppressionCheck({
      list:
        loadLazyModule('dynamodb-suppression-list').createDynamoDbSuppressionList(env) ??
        new UnconfiguredSuppressionList('SUPPRESSION_TABLE_NAME is not set: suppression cannot be checked'),
      key,
    });
    return suppressionCheck;
  };
  const secretArn = env.WRITE_KEYS_SECRET_ARN || undefined;
  /**
   * The key of keyed `redact.hash` rules: read once per container from `FIELD_HASH_KEY_SECRET_ARN`
   * when a source needs it; outside Lambda (local mode, tests) the fixed, public dev key. In Lambda
   * without the secret, an event a keyed rule applies to is refused (500), never written unhashed.
   */
  const hashKeySecretArn = env.FIELD_HASH_KEY_SECRET_ARN || undefined;
  let hashKey: FieldHashKey | undefined =
    hashKeySecretArn === undefined && env.AWS_LAMBDA_FUNCTION_NAME === undefined
      ? LOCAL_DEV_HASH_KEY
      : undefined;
  /** The same-origin path's origin secret (`ORIGIN_SECRET_ENV`): trusts CloudFront-Viewer-Address with it. */
  const originSecret = env.SAME_ORIGIN_SECRET || undefined;

  /**
   * A stream's writer: Kinesis with the delivery retries, KPL aggregation if asked, hot-key relief
   * (events' stream only), spill behind.
   */
  const streamWriter = (
    client: KinesisClient,
    destination: RuntimeDestination,
    config: RuntimeConfig,
    spillId: string,
    hotKeys = true,
  ): RecordWriter => {
    const kinesisWriter = new KinesisRecordWriter({
      client,
      streamName: destination.streamName,
      backoff: config.delivery,
      observer: allObservers(diagnostics.observer(destination), deliveryMetrics(metrics)),
    });
    // Aggregation inside the spill: what is spilled (and redriven) is events, not aggregated records.
    // KPL aggregation is the lazy module `kinesis-aggregation`: loaded by the first destination that asks.
    const writer = destination.aggregate
      ? new (loadLazyModule('kinesis-aggregation').AggregatingRecordWriter)(kinesisWriter)
      : kinesisWriter;
    // Outside aggregation (it marks the envelopes, and packs by the spread keys), inside the spill.
    const relieved = hotKeys
      ? withHotKeyRelief(writer, destination, { onHotKeys: (notice) => hotKeysNoticed(notice) })
      : writer;
    return withSpill(relieved, spillId, spillStore, {
      onSpill: (notice) => {
        metrics.addMetric('SpilledEvents', MetricUnit.Count, notice.spilled);
        logger.warn('Events the stream refused after the retry budget were spilled', { ...notice });
      },
    });
  };

  /** The `HotKeyOverflow` metric, and a log line per key that turned hot (its hash, never the key). */
  const hotKeysNoticed = (notice: HotKeyNotice) => {
    if (notice.overflowed > 0) metrics.addMetric('HotKeyOverflow', MetricUnit.Count, notice.overflowed);
    for (const { keyHash, trigger } of notice.turnedHot) {
      logger.warn('A hot partition key is spread over several keys until it cools down', {
        destinationId: notice.destinationId,
        keyHash,
        trigger,
      });
    }
  };

  /** Reports a prefetch that failed: once, at debug level, as the request that needs it asks again. */
  const prefetchFailed = (what: string, error: unknown, destinationId?: string) =>
    logger.debug(`Prefetching ${what} at cold start failed; the first request that needs it asks again`, {
      ...(destinationId === undefined ? {} : { destinationId }),
      error: error as Error,
    });

  const builtFor = (
    destination: RuntimeDestination,
    config: RuntimeConfig,
    prefetch: boolean,
  ): BuiltDestination => {
    const key = JSON.stringify([destination, config.delivery, seenStoreFor(config) !== undefined]);
    const built = destinations.get(destination.id);
    if (built?.key === key) return built;
    if (built !== undefined) {
      built.client.destroy();
      diagnostics.forget(destination.id);
      diagnostics.forget(failedSpillDestinationId(destination.id));
    }
    const client = createKinesisClient(destination, {
      ...options.clientOptions,
      onAssumeRole: () => metrics.addMetric('AssumeRoleCalls', MetricUnit.Count, 1),
      ...(prefetch
        ? {
            prefetchCredentials: {
              onError: (id, error) => prefetchFailed('the writer role credentials', error, id),
            },
          }
        : {}),
    });
    const writer = withDedup(
      streamWriter(client, destination, config, destination.id),
      destination.id,
      seenStoreFor(config),
      {
        onDuplicates: (count) => metrics.addMetric('DuplicateEvents', MetricUnit.Count, count),
        onFailOpen: (stage, count, error) => {
          metrics.addMetric('DedupFailOpen', MetricUnit.Count, count);
          logger.warn('The dedup table could not be used; events were written without it (fail open)', {
            destinationId: destination.id,
            stage,
            count,
            error: error as Error,
          });
        },
      },
    );
    const { failedStreamName } = destination;
    const failedId = failedSpillDestinationId(destination.id);
    const failedWriter =
      failedStreamName === undefined
        ? undefined
        : streamWriter(
            client,
            // Failure records are single events: never aggregated, so the stream reads as it is.
            { ...destination, id: failedId, streamName: failedStreamName, aggregate: false },
            config,
            failedId,
            false,
          );
    const fresh = { key, client, writer, ...(failedWriter === undefined ? {} : { failedWriter }) };
    destinations.set(destination.id, fresh);
    return fresh;
  };

  /** The write-key secret as the provider caches it (rotation delay), or the prefetch still in flight. */
  let writeKeysPrefetch: Prefetch<unknown> | undefined;
  const readWriteKeys = (arn: string) =>
    secrets().get(arn, { maxAge: WRITE_KEYS_MAX_AGE_SECONDS, transform: 'json' });
  const writeKeySecret = (arn: string) => () =>
    reuseOr(writeKeysPrefetch?.inFlight(), () => readWriteKeys(arn));

  /** The handler of `config`; with `prefetch`, each destination's client starts its AssumeRole now. */
  const build = (config: RuntimeConfig, prefetch = false): CollectorHandler => {
    const built = config.destinations.map((d) => [d.id, builtFor(d, config, prefetch)] as const);
    const writers = new Map(built.map(([id, { writer }]) => [id, writer]));
    const failedWriters = new Map(
      built.flatMap(([id, { failedWriter }]) =>
        failedWriter === undefined ? [] : [[id, failedWriter] as const],
      ),
    );
    for (const [id, built] of destinations) {
      if (writers.has(id)) continue;
      built.client.destroy();
      destinations.delete(id);
      diagnostics.forget(id);
    }
    const writeKeys =
      secretArn === undefined
        ? undefined
        : new SecretsManagerWriteKeys(config.sources, writeKeySecret(secretArn), {
            retryAfterSeconds: config.delivery.retryAfterSeconds,
            onUnknownSource: (sourceId) =>
              logger.warn('Write-key secret names an unknown source', { sourceId }),
            onMissingSource: (sourceId) =>
              logger.warn(
                'A source has no write key in the write-key secret: its requests are answered 401 until one is added',
                { sourceId },
              ),
          });
    const suppression = suppressionFor(config);
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
    if (secretArn !== undefined) {
      writeKeysPrefetch = new Prefetch(
        () => readWriteKeys(secretArn),
        (error) => prefetchFailed('the write keys', error),
      );
    }
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
        hashKey = fieldHashKeyOf(await secrets().get(hashKeySecretArn, { transform: 'json' }));
        current = undefined;
      } catch (error) {
        logger.error('The field-hash key cannot be read; answering 503', { error: error as Error });
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
