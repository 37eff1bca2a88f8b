import { type Admission, RateLimiter, type RateLimitSetting } from '../../../lambda/http/rate-limiter';

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);

/** A limiter over one limited source (`api`) and one without a limit (`web`), on a clock the test moves. */
function limiterWith(setting: Omit<RateLimitSetting, 'status'>) {
  const clock = { now: T0 };
  const limiter = new RateLimiter(
    [{ id: 'api', rateLimit: { ...setting, status: 429 } }, { id: 'web' }],
    () => clock.now,
  );
  return { limiter, clock };
}

const admits = (limiter: RateLimiter, sourceId: string, times: number): Admission[] =>
  Array.from({ length: times }, () => limiter.admit(sourceId));

describe('RateLimiter: a token bucket per source, on an injected clock', () => {
  it('admits a full burst at once and refuses the next request with the time until a token is back', () => {
    // Arrange
    const { limiter } = limiterWith({ eventsPerSecond: 4, burst: 3 });

    // Act
    const [first, second, third, fourth] = admits(limiter, 'api', 4);

    // Assess: 4 events/s, so one token takes 250 ms.
    expect([first, second, third].every((admission) => admission?.admitted)).toBe(true);
    expect(fourth).toEqual({
      admitted: false,
      waitMs: 250,
      setting: { eventsPerSecond: 4, burst: 3, status: 429 },
    });
  });

  it('refills at eventsPerSecond and admits again once a token is back', () => {
    // Arrange
    const { limiter, clock } = limiterWith({ eventsPerSecond: 4, burst: 1 });
    limiter.admit('api');

    // Act
    clock.now = T0 + 249;
    const early = limiter.admit('api');
    clock.now = T0 + 250;
    const onTime = limiter.admit('api');

    // Assess
    expect(early.admitted).toBe(false);
    expect(early.admitted === false && early.waitMs).toBeCloseTo(1, 5);
    expect(onTime.admitted).toBe(true);
  });

  it('never holds more than burst tokens, however long the source was quiet', () => {
    // Arrange
    const { limiter, clock } = limiterWith({ eventsPerSecond: 10, burst: 2 });

    // Act: an hour of silence, then three requests at once.
    clock.now = T0 + 3_600_000;
    const admissions = admits(limiter, 'api', 3);

    // Assess
    expect(admissions.map((admission) => admission.admitted)).toEqual([true, true, false]);
  });

  it('lets an admitted batch owe its events, refusing the next requests until the debt is repaid', () => {
    // Arrange: a batch of 10 events against a bucket of 3.
    const { limiter, clock } = limiterWith({ eventsPerSecond: 2, burst: 3 });
    expect(limiter.admit('api').admitted).toBe(true);

    // Act: the other 9 events are charged after the body is parsed; 3 - 10 = -7 tokens.
    limiter.charge('api', 9);
    clock.now = T0 + 1_000;
    const afterOneSecond = limiter.admit('api');
    clock.now = T0 + 4_000;
    const afterFourSeconds = limiter.admit('api');

    // Assess: -7 + 2 = -5 after 1 s, so a token is 3 s away; -7 + 8 = 1 after 4 s.
    expect(afterOneSecond).toMatchObject({ admitted: false, waitMs: 3_000 });
    expect(afterFourSeconds.admitted).toBe(true);
  });

  it('admits every request of a source without a rateLimit', () => {
    // Arrange
    const { limiter } = limiterWith({ eventsPerSecond: 1, burst: 1 });
    limiter.charge('web', 1_000_000);

    // Act
    const admissions = admits(limiter, 'web', 1_000);

    // Assess
    expect(admissions.every((admission) => admission.admitted)).toBe(true);
  });

  it('keeps one source over its limit from taking tokens of another', () => {
    // Arrange
    const clock = { now: T0 };
    const setting = { eventsPerSecond: 1, burst: 1, status: 429 } as const;
    const limiter = new RateLimiter(
      [
        { id: 'a', rateLimit: setting },
        { id: 'b', rateLimit: setting },
      ],
      () => clock.now,
    );

    // Act
    const a = admits(limiter, 'a', 2);
    const b = limiter.admit('b');

    // Assess
    expect(a.map((admission) => admission.admitted)).toEqual([true, false]);
    expect(b.admitted).toBe(true);
  });

  it('mints no tokens when the clock goes backwards', () => {
    // Arrange
    const { limiter, clock } = limiterWith({ eventsPerSecond: 1, burst: 1 });
    limiter.admit('api');

    // Act: back 10 s, then forward to 0.5 s after the start.
    clock.now = T0 - 10_000;
    const back = limiter.admit('api');
    clock.now = T0 + 500;
    const halfway = limiter.admit('api');

    // Assess
    expect(back.admitted).toBe(false);
    expect(halfway).toMatchObject({ admitted: false, waitMs: 500 });
  });
});
