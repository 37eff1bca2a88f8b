import {
  COLLECTOR_FUNCTION_DEFAULTS,
  EVENT_ARCHIVE_DEFAULTS,
  EVENT_STREAM_DEFAULTS,
  INGEST_API_DEFAULTS,
} from './construct-defaults';

/**
 * The context keys this app reads, with their defaults (docs/deploying.md shows the same table).
 * Settings a construct has take the construct's default (`construct-defaults.ts`).
 */
export const CONTEXT_DEFAULTS = {
  stackPrefix: 'KinesisEventForwarder',
  streamMode: 'ON_DEMAND',
  shardCount: 1,
  retentionHours: EVENT_STREAM_DEFAULTS.retentionHours,
  streamEncryption: 'AWS_MANAGED',
  sourceId: 'default',
  destinationId: 'kinesis',
  partitionKey: COLLECTOR_FUNCTION_DEFAULTS.partitionKey,
  allowedOrigins: INGEST_API_DEFAULTS.allowedOrigins.join(','),
  corsMaxAgeSeconds: INGEST_API_DEFAULTS.corsMaxAgeSeconds,
  throttlingRateLimit: INGEST_API_DEFAULTS.throttlingRateLimit,
  throttlingBurstLimit: INGEST_API_DEFAULTS.throttlingBurstLimit,
  lambdaMemoryMb: COLLECTOR_FUNCTION_DEFAULTS.memorySizeMb,
  lambdaTimeoutSeconds: COLLECTOR_FUNCTION_DEFAULTS.timeoutSeconds,
  tracing: COLLECTOR_FUNCTION_DEFAULTS.tracing,
  logLevel: COLLECTOR_FUNCTION_DEFAULTS.logLevel,
  logRetentionDays: COLLECTOR_FUNCTION_DEFAULTS.logRetentionDays,
  retainSpillQueues: true,
  retainWriteKeys: true,
  spillEncryption: 'SQS_MANAGED',
  accessLogSourceIp: false,
  failedEventsStream: true,
  archive: false,
  archiveTransitionDays: EVENT_ARCHIVE_DEFAULTS.transitionDays,
  archiveBufferSeconds: EVENT_ARCHIVE_DEFAULTS.bufferSeconds,
  archiveBufferMb: EVENT_ARCHIVE_DEFAULTS.bufferMb,
  archiveRecordFormat: 'envelope',
} as const;

/** The archive's context keys besides `archive` itself: stream stack only, and only with `archive=true`. */
export const ARCHIVE_SETTING_KEYS = [
  'archiveTransitionDays',
  'archiveExpirationDays',
  'archiveBufferSeconds',
  'archiveBufferMb',
  'archiveRecordFormat',
] as const;

/** The context keys of the collector's custom domain. */
export const CUSTOM_DOMAIN_CONTEXT_KEYS = [
  'domainName',
  'hostedZoneId',
  'hostedZoneName',
  'certificateArn',
  'disableExecuteApiEndpoint',
  'ipAddressType',
] as const;

/** Optional context keys without a default (docs/deploying.md lists them with the others). */
export const OPTIONAL_CONTEXT_KEYS = [
  'externalIds',
  'collectorAccountId',
  'writerRoleArn',
  'streamArn',
  'externalId',
  'alarmEmail',
  'alarmTopicArn',
  'iteratorAgeAlarmSeconds',
  'collectorRoleArn',
  'reservedConcurrency',
  'redriveRoleArns',
  'alarmTopicKeyArn',
  'failedStreamName',
  'failedRateAlarmPercent',
  'collectorConfig',
  'sameOriginPrefix',
  'archiveExpirationDays',
  ...CUSTOM_DOMAIN_CONTEXT_KEYS,
] as const;

/** Every context key the app reads (any other is reported as a probable typo). */
export function knownContextKeys(): string[] {
  return [...Object.keys(CONTEXT_DEFAULTS), ...OPTIONAL_CONTEXT_KEYS];
}
