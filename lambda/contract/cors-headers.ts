/**
 * The CORS headers API Gateway's preflight configuration (`lib/constructs/ingest-api.ts`) and the
 * Lambda's own CORS middleware (`lambda/http/cors.ts`) both send, so local mode and a deployed stack
 * answer browsers alike.
 */

/** Request headers the real SDKs send (analytics.js, analytics-node, RudderStack): preflights allow them. */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'content-encoding',
  'x-retry-count',
  'anonymousid',
  'sentat',
  'rsa-retry-attempt',
  'rsa-retry-reason',
  'rsa-since-first-attempt',
  'rsa-since-last-attempt',
];

/**
 * Answer headers a page may read: analytics-next honours `Retry-After` only when it is exposed;
 * `X-RateLimit-Reset` comes with a rate-limited source's 429/503 (lambda/http/rate-limiter.ts).
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = ['Retry-After', 'X-RateLimit-Reset'];

/**
 * The only wildcards API Gateway's HTTP API CORS matches: any origin, any `https://` origin, any
 * `http://` origin. The CDK app refuses other patterns in `allowedOrigins`, and the collector reads
 * these three exactly as API Gateway does.
 */
export const API_GATEWAY_ORIGIN_WILDCARDS: readonly string[] = ['*', 'https://*', 'http://*'];
