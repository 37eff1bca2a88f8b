/**
 * AWS limits the deploy checks at synth, so that a configuration that cannot deploy, or that would
 * compete with the rest of the account, is reported by `cdk synth` rather than by a rollback.
 */

/**
 * Lambda's limit on a function's environment variables: 4 KB, measured over the JSON of the
 * variables' names and values (the string Lambda quotes when it refuses a larger set).
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * API Gateway's account-level throttling quota per region, shared by every API (REST, HTTP and
 * WebSocket) of the account in that region: 10,000 requests per second steady, bursts of 5,000.
 * A stage limit above it is never reached; the quota can be raised through Service Quotas.
 */
export const API_GATEWAY_ACCOUNT_QUOTA = { rateLimit: 10_000, burstLimit: 5_000 } as const;
