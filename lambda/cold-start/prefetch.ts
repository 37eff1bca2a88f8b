/**
 * How long after it started a prefetch still in flight may be joined: 2 s. On AWS the calls
 * prefetched (GetSecretValue, AssumeRole) answer in tens of ms, and the first request of an
 * on-demand cold start follows init at once, so a prefetch it can use is far younger than this even
 * on a small function's CPU share (init of the bundle at 256 MB: ~1.2 s in all). An older one still
 * in flight was started before a freeze (provisioned concurrency, proactive init: Lambda may freeze
 * the environment right after init and thaw it minutes later); its connection may be dead and the
 * SDK sets no timeout on it, so the request calls again rather than wait on it.
 */
export const PREFETCH_JOIN_MS = 2_000;

/**
 * One call started before anything needs its answer (at cold start, so that the first request does
 * not wait for several round trips in series), for its first user to take instead of calling again.
 *
 * What a user may take is the call still in flight if it started less than {@link PREFETCH_JOIN_MS}
 * ago ({@link inFlight}), or also its answer once it has one ({@link usable}), for a caller whose own
 * cache then checks the answer's age (the SDK's credential cache checks expiry). A prefetch that
 * fails is reported to `onError` and only there: nothing awaits it unhandled, and whoever took it
 * calls again ({@link reuseOr}). The clock is the wall clock: after a thaw Lambda sets it right,
 * where a monotonic clock may not count the time the environment was frozen.
 */
export class Prefetch<T> {
  private readonly startedAt: number;
  private state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  private readonly promise: Promise<T>;

  constructor(
    call: () => Promise<T>,
    onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.promise = new Promise<T>((resolve) => resolve(call()));
    this.promise.then(
      () => {
        this.state = 'fulfilled';
      },
      (error: unknown) => {
        this.state = 'rejected';
        onError(error);
      },
    );
  }

  /** The call, while it is in flight and started less than {@link PREFETCH_JOIN_MS} ago. */
  inFlight(): Promise<T> | undefined {
    const age = this.now() - this.startedAt;
    return this.state === 'pending' && age >= 0 && age < PREFETCH_JOIN_MS ? this.promise : undefined;
  }

  /** Its answer if it has one, else {@link inFlight}. */
  usable(): Promise<T> | undefined {
    return this.state === 'fulfilled' ? this.promise : this.inFlight();
  }
}

/**
 * `prefetched` when there is one, and `call()` if it fails (its failure was the prefetch's, already
 * reported, not the caller's); `call()` alone otherwise.
 */
export function reuseOr<T>(prefetched: Promise<T> | undefined, call: () => Promise<T>): Promise<T> {
  return prefetched === undefined ? call() : prefetched.catch(() => call());
}
