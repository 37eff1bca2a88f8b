import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../contract/collector-metrics';

/**
 * The collector's structured JSON logger (Powertools). Level from `POWERTOOLS_LOG_LEVEL`.
 * Never log write keys, credentials or event payloads: counts, ids and error codes only.
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}
