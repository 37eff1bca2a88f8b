/**
 * The default of every construct setting that has one, in one place: each construct falls back to
 * these when a prop is left out, and the CDK context keys (`context-keys.ts`) default to the same
 * values, so a stack deployed without context and a construct used on its own agree. The README's
 * "Default settings" and docs/deploying.md describe these values.
 */

/** `CollectorFunction` (lib/constructs/collector-function.ts). */
export const COLLECTOR_FUNCTION_DEFAULTS = {
  memorySizeMb: 256,
  timeoutSeconds: 10,
  tracing: false,
  logLevel: 'INFO',
  logRetentionDays: 30,
  partitionKey: 'user',
  allowedOrigins: ['*'],
  corsMaxAgeSeconds: 7200,
} as const;

/** `IngestApi` (lib/constructs/ingest-api.ts). */
export const INGEST_API_DEFAULTS = {
  allowedOrigins: COLLECTOR_FUNCTION_DEFAULTS.allowedOrigins,
  corsMaxAgeSeconds: COLLECTOR_FUNCTION_DEFAULTS.corsMaxAgeSeconds,
  throttlingRateLimit: 1000,
  throttlingBurstLimit: 2000,
  accessLogRetentionDays: 30,
} as const;

/** `EventStream` (lib/constructs/event-stream.ts); no shard count means on demand. */
export const EVENT_STREAM_DEFAULTS = {
  retentionHours: 24,
  customerManagedKey: false,
} as const;

/** `SpillQueue` (lib/constructs/spill-queue.ts). */
export const SPILL_QUEUE_DEFAULTS = {
  retentionDays: 14,
  maxReceiveCount: 5,
  visibilityTimeoutMinutes: 5,
} as const;

/** `EventArchive` (lib/constructs/event-archive.ts); docs/archive.md argues each value. */
export const EVENT_ARCHIVE_DEFAULTS = {
  transitionDays: 30,
  noncurrentVersionDays: 30,
  bufferSeconds: 300,
  bufferMb: 64,
} as const;
