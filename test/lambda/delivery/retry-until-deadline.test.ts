import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CallResult,
  deadlineSignal,
  errorCodeOf,
  failEveryItem,
  type RetryLoopOptions,
  retryUntilDeadline,
} from '../../../lambda/delivery/retry-until-deadline';

/** A simulated clock: sleeping advances it, so retries cost no real time. */
function simulatedTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const pairs = (pending: readonly number[]) => {
  const chunks: number[][] = [];
  for (let start = 0; start < pending.length; start += 2) chunks.push(pending.slice(start, start + 2));
  return chunks;
};

function options(
  time: ReturnType<typeof simulatedTime>,
  send: RetryLoopOptions['send'],
  overrides: Partial<RetryLoopOptions> = {},
): RetryLoopOptions {
  return {
    chunk: pairs,
    send,
    backoff: { baseDelayMs: 50, maxDelayMs: 1000 },
    deadline: time.now() + 5000,
    minCallMs: 100,
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...overrides,
  };
}

const fail = (index: number, errorCode = 'InternalFailure') => ({ index, errorCode, errorMessage: 'x' });

describe('retryUntilDeadline', () => {
  it('sends every item once in calls of the given chunking when nothing fails', async () => {
    const time = simulatedTime();
    const sent: number[][] = [];
    const report = await retryUntilDeadline(
      [0, 1, 2, 3, 4],
      options(time, async (chunk) => {
        sent.push([...chunk]);
        return { retry: [], failed: [] };
      }),
    );

    expect(report).toEqual({ failed: [], calls: 3, retries: 0 });
    expect(sent).toEqual([[0, 1], [2, 3], [4]]);
    expect(time.sleeps).toEqual([]);
  });

  it('sends again only the items that failed with a retryable error, after a jittered backoff', async () => {
    const time = simulatedTime();
    const sent: number[][] = [];
    let round = 0;
    const report = await retryUntilDeadline(
      [0, 1, 2, 3],
      options(time, async (chunk): Promise<CallResult> => {
        sent.push([...chunk]);
        if (round++ === 0) return { retry: [fail(chunk[1] as number)], failed: [] };
        return { retry: [], failed: [] };
      }),
    );

    expect(report.failed).toEqual([]);
    expect(sent).toEqual([[0, 1], [2, 3], [1]]);
    expect(report.calls).toBe(3);
    expect(report.retries).toBe(1);
    expect(time.sleeps).toEqual([25]);
  });

  it('never retries final failures and reports them with the ones still failing, by index', async () => {
    const time = simulatedTime();
    const report = await retryUntilDeadline(
      [0, 1, 2],
      options(
        time,
        async (chunk): Promise<CallResult> => ({
          retry: chunk.filter((index) => index !== 2).map((index) => fail(index)),
          failed: chunk.filter((index) => index === 2).map((index) => fail(index, 'AccessDenied')),
        }),
        { deadline: time.now() + 400 },
      ),
    );

    expect(report.failed.map((failure) => [failure.index, failure.errorCode])).toEqual([
      [0, 'InternalFailure'],
      [1, 'InternalFailure'],
      [2, 'AccessDenied'],
    ]);
  });

  it('stops before a backoff that would leave less than minCallMs before the deadline', async () => {
    const time = simulatedTime();
    const report = await retryUntilDeadline(
      [0],
      options(time, async (chunk) => ({ retry: chunk.map((index) => fail(index)), failed: [] }), {
        deadline: time.now() + 1000,
      }),
    );

    // Backoffs 25, 50, 100, 200, 400 ms (half of 50 * 2^n): after 775 ms the next one (500) plus
    // minCallMs would end past the deadline, so the loop stops and reports the item.
    expect(time.sleeps).toEqual([25, 50, 100, 200, 400]);
    expect(report.failed).toEqual([fail(0)]);
    expect(report.calls).toBe(6);
    expect(report.retries).toBe(5);
  });

  it('keeps at most maxCallsInFlight calls pending at once', async () => {
    const time = simulatedTime();
    let inFlight = 0;
    let most = 0;
    await retryUntilDeadline(
      Array.from({ length: 20 }, (_, index) => index),
      options(
        time,
        async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          return { retry: [], failed: [] };
        },
        { maxCallsInFlight: 3 },
      ),
    );

    expect(most).toBe(3);
  });

  it('gives every call an abort signal that fires at the deadline', async () => {
    const time = simulatedTime(Date.now());
    let signal: AbortSignal | undefined;
    await retryUntilDeadline(
      [0],
      options(
        time,
        async (_chunk, given) => {
          signal = given;
          return { retry: [], failed: [] };
        },
        { deadline: Date.now() + 30 },
      ),
    );

    expect(signal?.aborted).toBe(false);
    await sleep(80);
    expect(signal?.aborted).toBe(true);
  });
});

describe('deadlineSignal', () => {
  it('accepts a deadline with a fraction of a millisecond left, or one already past', () => {
    expect(() => deadlineSignal(1000.4, () => 1000)).not.toThrow();
    expect(() => deadlineSignal(900, () => 1000)).not.toThrow();
  });
});

describe('errorCodeOf', () => {
  it("reads an AWS error's name, a Node error's code, or falls back", () => {
    const aws = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const node = Object.assign(new Error('reset'), { code: 'ECONNRESET' });

    expect(errorCodeOf(aws)).toBe('ThrottlingException');
    expect(errorCodeOf(node)).toBe('ECONNRESET');
    expect(errorCodeOf(new Error('plain'))).toBe('UnknownError');
    expect(errorCodeOf(new Error('plain'), 'SpillFileError')).toBe('SpillFileError');
    expect(errorCodeOf(undefined)).toBe('UnknownError');
  });

  it("keeps a socket error's code when the SDK's HTTP handler renamed the error TimeoutError", () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' });
    const deadline = new DOMException('The operation was aborted due to timeout', 'TimeoutError');

    expect(errorCodeOf(reset)).toBe('ECONNRESET');
    expect(errorCodeOf(deadline)).toBe('TimeoutError');
  });
});

describe('failEveryItem', () => {
  it('fails every item of the call with the error, for good only when the code is final', () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });

    expect(failEveryItem([3, 4], denied, (code) => code === 'AccessDeniedException')).toEqual({
      retry: [],
      failed: [
        { index: 3, errorCode: 'AccessDeniedException', errorMessage: 'no' },
        { index: 4, errorCode: 'AccessDeniedException', errorMessage: 'no' },
      ],
    });
    expect(failEveryItem([3], denied, () => false).retry).toHaveLength(1);
  });
});
