import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricSink } from '../observability/metric-sink';
import { RateLimitedError } from './http-error';
import type { RateLimiter } from './rate-limiter';

/**
 * The HTTP side of per-source rate limits: asks a source's bucket ({@link RateLimiter}) and turns a
 * refusal into a {@link RateLimitedError}, counted in `RateLimitedRequests` and logged once per spell
 * over the limit (not per refused request: a runaway source must not flood the logs).
 */
export class RateLimitGate {
  /** Sources whose last request was refused. */
  private readonly limited = new Set<string>();

  constructor(
    private readonly options: {
      readonly limiter: RateLimiter;
      readonly logger: Logger;
      readonly now: () => number;
      readonly metrics?: MetricSink;
    },
  ) {}

  /** Lets a request of the source through whole, or throws its 429/503. Call before the body is read. */
  admit(sourceId: string): void {
    const { limiter, logger, metrics, now } = this.options;
    const admission = limiter.admit(sourceId);
    if (admission.admitted) {
      this.limited.delete(sourceId);
      return;
    }
    metrics?.addMetric('RateLimitedRequests', MetricUnit.Count, 1);
    if (!this.limited.has(sourceId)) {
      this.limited.add(sourceId);
      logger.warn('A source is over its rate limit; its requests are refused until its bucket refills', {
        sourceId,
        eventsPerSecond: admission.setting.eventsPerSecond,
        burst: admission.setting.burst,
        status: admission.setting.status,
      });
    }
    throw new RateLimitedError(sourceId, admission.setting, admission.waitMs, now());
  }

  /** Charges an admitted request's other events (a batch is never cut: the bucket may owe them). */
  charge(sourceId: string, events: number): void {
    this.options.limiter.charge(sourceId, events);
  }
}
