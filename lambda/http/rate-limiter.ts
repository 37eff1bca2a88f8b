/** A source's `rateLimit` setting, as the configuration document holds it. */
export interface RateLimitSetting {
  /** Events per second the source's bucket refills with (the sustained rate). */
  readonly eventsPerSecond: number;
  /** Events the bucket holds when full (the largest burst after a quiet spell). */
  readonly burst: number;
  /** The status a refused request is answered with: 429, or 503 for SDKs that drop every 4xx. */
  readonly status: 429 | 503;
}

/** What {@link RateLimiter.admit} decided for one request. */
export type Admission =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      /** Milliseconds until the source's bucket holds a whole token again. */
      readonly waitMs: number;
      readonly setting: RateLimitSetting;
    };

const ADMITTED: Admission = { admitted: true };

/** One source's token bucket: `tokens` as of `at` (ms), below zero while a batch's events are owed. */
interface Bucket {
  readonly setting: RateLimitSetting;
  tokens: number;
  at: number;
}

/**
 * Per-source token buckets, one per container (so a limit is approximate: N warm containers admit up
 * to N x the limit). Pure: no I/O, the clock is injected.
 *
 * A request is admitted whole or refused whole, before its body is parsed: `admit` takes one token
 * when the bucket holds at least one, and refuses otherwise. Once the body is parsed, `charge` takes
 * the request's other events, and the bucket may go below zero: an admitted batch is never cut and
 * nothing accepted is ever dropped; the debt delays the source's next requests instead, so over time
 * the source gets `eventsPerSecond` events through, batch sizes whatever they are.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    sources: Iterable<{ readonly id: string; readonly rateLimit?: RateLimitSetting }>,
    private readonly now: () => number = Date.now,
  ) {
    const at = this.now();
    for (const source of sources) {
      if (source.rateLimit === undefined) continue;
      this.buckets.set(source.id, { setting: source.rateLimit, tokens: source.rateLimit.burst, at });
    }
  }

  /** Takes one token of the source's bucket, or says how long until there is one. Unlimited sources pass. */
  admit(sourceId: string): Admission {
    const bucket = this.refilled(sourceId);
    if (bucket === undefined) return ADMITTED;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ADMITTED;
    }
    const waitMs = ((1 - bucket.tokens) * 1000) / bucket.setting.eventsPerSecond;
    return { admitted: false, waitMs, setting: bucket.setting };
  }

  /** Takes `events` more tokens for an admitted request (its events beyond the one `admit` took). */
  charge(sourceId: string, events: number): void {
    const bucket = this.refilled(sourceId);
    if (bucket === undefined || events <= 0) return;
    bucket.tokens -= events;
  }

  private refilled(sourceId: string): Bucket | undefined {
    const bucket = this.buckets.get(sourceId);
    if (bucket === undefined) return undefined;
    const now = this.now();
    const elapsedMs = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(
      bucket.setting.burst,
      bucket.tokens + (elapsedMs * bucket.setting.eventsPerSecond) / 1000,
    );
    bucket.at = Math.max(bucket.at, now);
    return bucket;
  }
}
