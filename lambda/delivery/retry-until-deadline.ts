import { setTimeout as sleepFor } from 'node:timers/promises';
import { type BackoffPolicy, backoffDelay } from './backoff';

/** One item of a batch call (a record, a message) that was not written, and why. */
export interface ItemFailure {
  /** The item's index in the caller's list. */
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** What one batch call left undone: failures worth retrying, and failures no retry can fix. */
export interface CallResult {
  readonly retry: ItemFailure[];
  readonly failed: ItemFailure[];
}

/** What {@link retryUntilDeadline} needs to know; `send` and `chunk` are the service's part. */
export interface RetryLoopOptions {
  /** Splits the indices still pending into batch calls (the service's count and size limits). */
  readonly chunk: (pending: readonly number[]) => number[][];
  /** Makes one batch call; `signal` aborts it at the deadline. Never throws: see {@link failEveryItem}. */
  readonly send: (chunk: readonly number[], signal: AbortSignal) => Promise<CallResult>;
  readonly backoff: BackoffPolicy;
  /** Epoch ms after which no call may still be running. */
  readonly deadline: number;
  /** Shortest time worth starting another round of calls with. */
  readonly minCallMs: number;
  /** Calls of one round in flight at once. @default - all of them */
  readonly maxCallsInFlight?: number;
  /** @default - `Date.now` */
  readonly now?: () => number;
  /** @default - `setTimeout` of `node:timers/promises` */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** @default - `Math.random` */
  readonly random?: () => number;
}

/** What {@link retryUntilDeadline} did. */
export interface RetryLoopReport {
  /** Every item not written (final failures and those still failing at the deadline), by index. */
  readonly failed: ItemFailure[];
  /** Batch calls made, retries included. */
  readonly calls: number;
  /** Batch calls made after the first round. */
  readonly retries: number;
}

/**
 * The one delivery retry loop, shared by the Kinesis record writer and the SQS spill store: send
 * every pending item in batch calls; items that fail with a retryable error are sent again, by
 * themselves, after a full-jitter backoff, as long as the backoff plus `minCallMs` still ends before
 * the deadline. Each call carries an abort signal at the deadline, so the loop never outlives it.
 */
export async function retryUntilDeadline(
  indices: readonly number[],
  options: RetryLoopOptions,
): Promise<RetryLoopReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const limit = options.maxCallsInFlight ?? Number.POSITIVE_INFINITY;
  const failed: ItemFailure[] = [];
  let pending = [...indices];
  let retryable: ItemFailure[] = [];
  let calls = 0;
  let retries = 0;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const chunks = options.chunk(pending);
    calls += chunks.length;
    if (attempt > 0) retries += chunks.length;
    const results = await mapWithConcurrency(chunks, limit, (chunk) =>
      options.send(chunk, deadlineSignal(options.deadline, now)),
    );
    retryable = results.flatMap((result) => result.retry);
    failed.push(...results.flatMap((result) => result.failed));
    pending = retryable.map((failure) => failure.index);
    if (pending.length === 0) break;
    const delay = backoffDelay(options.backoff, attempt, random);
    if (now() + delay + options.minCallMs > options.deadline) break;
    await sleep(delay);
  }
  failed.push(...retryable);
  failed.sort((a, b) => a.index - b.index);
  return { failed, calls, retries };
}

/**
 * An abort signal that fires at `deadline`. `AbortSignal.timeout` takes whole milliseconds only (a
 * fraction throws `RangeError`), and at least one, so a call at the deadline still gets to start.
 */
export function deadlineSignal(deadline: number, now: () => number = Date.now): AbortSignal {
  return AbortSignal.timeout(Math.max(1, Math.ceil(deadline - now())));
}

/** A Node system error's code: `ECONNREFUSED`, `ECONNRESET`, `ENOSPC`, `EAI_AGAIN`, ... */
const SYSTEM_ERROR_CODE = /^E[A-Z0-9_]+$/;

/**
 * The error code of a thrown error: a Node system error's `code` (`ECONNREFUSED`, `ENOSPC`), else
 * an AWS SDK error's `name`, else `fallback`. The code wins because the SDK's HTTP handler renames
 * socket errors (`ECONNRESET`, `EPIPE`, `ETIMEDOUT`) `TimeoutError` for its retry logic, which
 * would tell an operator that something was slow when a connection was refused or cut.
 */
export function errorCodeOf(error: unknown, fallback = 'UnknownError'): string {
  const named = error as { name?: unknown; code?: unknown } | null | undefined;
  if (typeof named?.code === 'string' && SYSTEM_ERROR_CODE.test(named.code)) return named.code;
  if (typeof named?.name === 'string' && named.name !== 'Error') return named.name;
  return typeof named?.code === 'string' ? named.code : fallback;
}

/**
 * The result of a call that failed as a whole (it threw): every item of `chunk` fails with the
 * error's code ({@link errorCodeOf}), for good when `isFinal(errorCode)`, else to be retried.
 */
export function failEveryItem(
  chunk: readonly number[],
  error: unknown,
  isFinal: (errorCode: string) => boolean,
  fallbackCode?: string,
): CallResult {
  const errorCode = errorCodeOf(error, fallbackCode);
  const errorMessage = error instanceof Error ? error.message : String(error);
  const failures = chunk.map((index) => ({ index, errorCode, errorMessage }));
  return isFinal(errorCode) ? { retry: [], failed: failures } : { retry: failures, failed: [] };
}

/** `fn` over `items` with at most `limit` calls pending at once; results in the items' order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
