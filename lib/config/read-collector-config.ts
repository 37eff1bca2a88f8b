import { cookieDomainCovers } from '../../lambda/contract/cookie-domain';
import { API_GATEWAY_ORIGIN_WILDCARDS } from '../../lambda/contract/cors-headers';
import { INGEST_API_DEFAULTS } from './construct-defaults';
import { CONTEXT_DEFAULTS } from './context-keys';
import {
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_RULE,
  ID_PATTERN,
  LOG_RETENTION_DAYS,
  ROLE_ARN_PATTERN,
  ROLE_ARN_RULE,
  SAME_ORIGIN_PREFIX_PATTERN,
  SAME_ORIGIN_PREFIX_RULE,
  STREAM_ARN_PATTERN,
  STREAM_ARN_RULE,
} from './context-patterns';
import type { ContextReader } from './context-reader';
import type {
  AlarmsDeployConfig,
  CollectorDeployConfig,
  CollectorDocument,
  DeployDestination,
  DeployEnvironment,
} from './deploy-config';
import { readCustomDomainConfig } from './read-custom-domain-config';

/**
 * The settings a configuration document replaces, derived from it: the first source and destination
 * stand for the `sourceId` and `destinationId` keys (names of outputs and alarms keep working).
 */
function documentSettings(
  document: CollectorDocument,
): Pick<
  CollectorDeployConfig,
  'sourceId' | 'destinationId' | 'partitionKey' | 'allowedOrigins' | 'corsMaxAgeSeconds' | 'document'
> {
  const [source] = document.config.sources;
  const [destination] = document.config.destinations;
  return {
    document,
    sourceId: source?.id ?? CONTEXT_DEFAULTS.sourceId,
    destinationId: destination?.id ?? CONTEXT_DEFAULTS.destinationId,
    partitionKey: source?.partitionKey ?? CONTEXT_DEFAULTS.partitionKey,
    allowedOrigins: document.apiOrigins,
    corsMaxAgeSeconds: document.config.cors.maxAgeSeconds,
  };
}

/**
 * A source's identity cookie is set only where the collector is first-party: with a custom domain,
 * that domain must be under the cookie's domain (browsers refuse a cookie for another domain).
 * Without one, the collector is first-party only behind the site's own CloudFront path, which the
 * function checks per request (it sets the cookie only for hosts under the domain).
 */
function identityCookieDomainProblems(
  document: CollectorDocument | undefined,
  domainName: string | undefined,
  problems: string[],
): void {
  if (document === undefined || domainName === undefined) return;
  document.config.sources.forEach((source, index) => {
    const cookie = source.identityCookie;
    if (cookie === undefined || cookieDomainCovers(cookie.domain, domainName)) return;
    problems.push(
      `collectorConfig: ${document.path}: sources.${index}.identityCookie.domain: the collector's domain ${domainName} is not under ${cookie.domain}, so browsers would refuse the cookie; use the site's domain that ${domainName} belongs to, or serve the collector from a host under ${cookie.domain} (docs/deploying.md)`,
    );
  });
}

/**
 * The collector stack's keys: ids, partition key, CORS, throttling, function and log settings, and
 * the custom domain.
 */
export function readCollectorConfig(
  reader: ContextReader,
  alarms: AlarmsDeployConfig,
  environment: DeployEnvironment,
  destination?: Omit<DeployDestination, 'id'>,
  document?: CollectorDocument,
): CollectorDeployConfig {
  // With a document the keys it replaces are refused (read-collector-document.ts), not read.
  const origins = document ? [] : (reader.list('allowedOrigins') ?? [...INGEST_API_DEFAULTS.allowedOrigins]);
  for (const origin of origins) {
    if (origin.includes('*') && !API_GATEWAY_ORIGIN_WILDCARDS.includes(origin)) {
      reader.problems.push(
        `allowedOrigins: "${origin}" is a pattern API Gateway does not match (its CORS takes exact origins, *, https://* and http://* only, so browsers would be refused); list each site, like https://www.example.com,https://shop.example.com`,
      );
    } else if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.*-]+(:\d{1,5})?$/.test(origin)) {
      reader.problems.push(
        `allowedOrigins: "${origin}" is not an origin; use * or scheme://host[:port] without a path, like https://www.example.com`,
      );
    }
  }
  const redriveRoleArns = reader.list('redriveRoleArns') ?? [];
  for (const arn of redriveRoleArns) {
    if (!ROLE_ARN_PATTERN.test(arn)) {
      reader.problems.push(
        `redriveRoleArns: "${arn}" is not an IAM role ARN; use the ARN of the role that runs npm run redrive, like arn:aws:iam::111111111111:role/operations`,
      );
    }
  }
  const rateLimit = reader.integer(
    'throttlingRateLimit',
    CONTEXT_DEFAULTS.throttlingRateLimit,
    1,
    1_000_000,
    ' requests per second',
  );
  const burstLimit = reader.integer(
    'throttlingBurstLimit',
    CONTEXT_DEFAULTS.throttlingBurstLimit,
    1,
    1_000_000,
  );
  if (burstLimit < rateLimit) {
    reader.problems.push(
      `throttlingBurstLimit: ${burstLimit} is below throttlingRateLimit ${rateLimit}; raise the burst or lower the rate`,
    );
  }
  const retention = reader.integer('logRetentionDays', CONTEXT_DEFAULTS.logRetentionDays, 1, 3653, ' days');
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    reader.problems.push(
      `logRetentionDays: ${retention} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  // Read here, in the order of the keys below, so that problems are listed in that order.
  const fromDocument = document === undefined ? undefined : documentSettings(document);
  const sourceId =
    reader.matching('sourceId', ID_PATTERN, 'a valid id; use 1-64 letters, digits, _ . -') ??
    CONTEXT_DEFAULTS.sourceId;
  const destinationId =
    reader.matching('destinationId', ID_PATTERN, 'a valid id; use 1-64 letters, digits, _ . -') ??
    CONTEXT_DEFAULTS.destinationId;
  const config: CollectorDeployConfig = {
    ...(destination === undefined ? {} : { destination: { id: destinationId, ...destination } }),
    ...(fromDocument ?? {
      sourceId,
      destinationId,
      partitionKey: reader.oneOf('partitionKey', CONTEXT_DEFAULTS.partitionKey, ['user', 'event_id']),
      allowedOrigins: origins,
      corsMaxAgeSeconds: reader.integer(
        'corsMaxAgeSeconds',
        CONTEXT_DEFAULTS.corsMaxAgeSeconds,
        0,
        86_400,
        ' seconds',
      ),
    }),
    throttlingRateLimit: rateLimit,
    throttlingBurstLimit: burstLimit,
    memorySize: reader.integer('lambdaMemoryMb', CONTEXT_DEFAULTS.lambdaMemoryMb, 128, 10_240, ' MB'),
    timeoutSeconds: reader.integer(
      'lambdaTimeoutSeconds',
      CONTEXT_DEFAULTS.lambdaTimeoutSeconds,
      3,
      29,
      ' seconds',
    ),
    tracing: reader.boolean('tracing', CONTEXT_DEFAULTS.tracing),
    logLevel: reader.oneOf('logLevel', CONTEXT_DEFAULTS.logLevel, ['DEBUG', 'INFO', 'WARN', 'ERROR']),
    logRetentionDays: retention,
    ...(reader.has('failedRateAlarmPercent')
      ? { failedRateAlarmPercent: reader.integer('failedRateAlarmPercent', 0, 1, 100, ' percent') }
      : {}),
    alarms,
    ...(reader.has('reservedConcurrency')
      ? { reservedConcurrency: reader.integer('reservedConcurrency', 0, 1, 100_000, ' executions') }
      : {}),
    retainSpillQueues: reader.boolean('retainSpillQueues', CONTEXT_DEFAULTS.retainSpillQueues),
    retainWriteKeys: reader.boolean('retainWriteKeys', CONTEXT_DEFAULTS.retainWriteKeys),
    spillEncryption:
      reader.oneOf('spillEncryption', CONTEXT_DEFAULTS.spillEncryption, [
        'SQS_MANAGED',
        'CUSTOMER_MANAGED',
      ]) === 'CUSTOMER_MANAGED'
        ? 'customer-managed'
        : 'sqs-managed',
    redriveRoleArns,
    accessLogSourceIp: reader.boolean('accessLogSourceIp', CONTEXT_DEFAULTS.accessLogSourceIp),
    ...readCustomDomainConfig(reader, environment),
    ...readSameOriginPrefix(reader),
  };
  identityCookieDomainProblems(document, config.customDomain?.domainName, reader.problems);
  return config;
}

/**
 * `writerRoleArn`, `streamArn` and `externalId`, all three required: the stream in another account the
 * collector stack writes to when deployed alone (its id, `destinationId`, is read with the collector's
 * other keys).
 */
export function readExternalDestination(reader: ContextReader): Omit<DeployDestination, 'id'> | undefined {
  const roleArn = reader.matching('writerRoleArn', ROLE_ARN_PATTERN, ROLE_ARN_RULE);
  const streamArn = reader.matching('streamArn', STREAM_ARN_PATTERN, STREAM_ARN_RULE);
  const externalId = reader.matching('externalId', EXTERNAL_ID_PATTERN, EXTERNAL_ID_RULE);
  for (const key of ['writerRoleArn', 'streamArn', 'externalId']) {
    if (!reader.has(key)) {
      reader.problems.push(
        `${key}: required to deploy the collector alone; set writerRoleArn, streamArn and externalId together (the stream stack's outputs and one of its external IDs)`,
      );
    }
  }
  const match = streamArn === undefined ? null : STREAM_ARN_PATTERN.exec(streamArn);
  if (roleArn === undefined || streamArn === undefined || externalId === undefined || !match) {
    return undefined;
  }
  const [, region = '', streamName = ''] = match;
  const failedStreamName = reader.matching(
    'failedStreamName',
    /^[\w.-]{1,128}$/,
    "a Kinesis stream name (1-128 letters, digits, _ . -): the stream stack's FailedStreamName output",
  );
  return {
    roleArn,
    streamArn,
    streamName,
    region,
    externalId,
    ...(failedStreamName === undefined ? {} : { failedStreamName }),
  };
}

/** `sameOriginPrefix`: the collector's path on the site's own CloudFront distribution, if any. */
function readSameOriginPrefix(reader: ContextReader): { readonly sameOriginPrefix?: string } {
  const prefix = reader.matching('sameOriginPrefix', SAME_ORIGIN_PREFIX_PATTERN, SAME_ORIGIN_PREFIX_RULE);
  if (prefix === undefined) return {};
  if (prefix === '/v1' || prefix.startsWith('/v1/')) {
    reader.problems.push(
      `sameOriginPrefix: "${prefix}" starts with /v1, the collector's own path; use another prefix, like /collect`,
    );
    return {};
  }
  return { sameOriginPrefix: prefix };
}
