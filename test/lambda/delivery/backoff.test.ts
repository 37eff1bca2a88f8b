import { type BackoffPolicy, backoffDelay } from '../../../lambda/delivery/backoff';

const policy: BackoffPolicy = { baseDelayMs: 50, maxDelayMs: 1_000 };
/** Just below 1: `Math.random()` never returns 1 itself. */
const almostOne = () => 0.999_999;

describe('backoffDelay', () => {
  it.each([
    [0, 49],
    [1, 99],
    [2, 199],
    [3, 399],
    [4, 799],
  ])('waits at most base * 2^attempt (attempt %i: %i ms)', (attempt, longest) => {
    // Act
    const delay = backoffDelay(policy, attempt, almostOne);

    // Assess
    expect(delay).toBe(longest);
  });

  it('can wait no time at all (full jitter starts at zero)', () => {
    // Act
    const delay = backoffDelay(policy, 3, () => 0);

    // Assess
    expect(delay).toBe(0);
  });

  it('spreads delays uniformly over the window', () => {
    // Act
    const delay = backoffDelay(policy, 2, () => 0.5);

    // Assess
    expect(delay).toBe(100);
  });

  it('caps the delay at maxDelayMs however many attempts were made', () => {
    // Act
    const delays = [5, 6, 10, 100, 2_000].map((attempt) => backoffDelay(policy, attempt, almostOne));

    // Assess
    expect(delays).toEqual([999, 999, 999, 999, 999]);
  });

  it('stays within [0, ceiling) with the real random source', () => {
    // Act
    const delays = Array.from({ length: 2_000 }, (_, attempt) => backoffDelay(policy, attempt % 8));

    // Assess
    for (const [attempt, delay] of delays.entries()) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(1_000, 50 * 2 ** (attempt % 8)));
      expect(Number.isInteger(delay)).toBe(true);
    }
  });
});
