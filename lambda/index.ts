import { createCollector } from './collector';

export type { CollectorHandler } from './handler';

/**
 * The Lambda entry point. Runs once per container (cold start): the environment is read, and a
 * configuration from `COLLECTOR_CONFIG`/`COLLECTOR_CONFIG_FILE` is validated here; one from SSM
 * (`COLLECTOR_CONFIG_PARAMETER`) or Secrets Manager (`COLLECTOR_CONFIG_SECRET_ARN`) on the first
 * request, then re-read with a TTL. Clients and writers are built once and reused.
 */
export const handler = createCollector({ env: process.env });
