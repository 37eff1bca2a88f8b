import { InvalidConfigError, parseRuntimeConfig } from '../../../lambda/config/runtime-config';

/** A one-source document whose source has `rateLimit` as given. */
const withRateLimit = (rateLimit: unknown) => ({
  sources: [{ id: 'api', writeKeys: ['wk_api'], destinations: ['main'], rateLimit }],
  destinations: [{ id: 'main', streamName: 'events', region: 'eu-west-1' }],
});

/** The message of the InvalidConfigError that parsing `input` throws. */
function problemsOf(input: unknown): string {
  try {
    parseRuntimeConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('a source’s rateLimit setting', () => {
  it('answers 429 unless the source says 503', () => {
    // Act
    const config = parseRuntimeConfig(withRateLimit({ eventsPerSecond: 50, burst: 200 }));

    // Assess
    expect(config.sources[0]?.rateLimit).toEqual({ eventsPerSecond: 50, burst: 200, status: 429 });
  });

  it('keeps status 503 and a fractional rate', () => {
    // Act
    const config = parseRuntimeConfig(withRateLimit({ eventsPerSecond: 0.5, burst: 1, status: 503 }));

    // Assess
    expect(config.sources[0]?.rateLimit).toEqual({ eventsPerSecond: 0.5, burst: 1, status: 503 });
  });

  it('leaves a source without rateLimit unlimited', () => {
    // Act
    const config = parseRuntimeConfig({ ...withRateLimit(undefined) });

    // Assess
    expect(config.sources[0]?.rateLimit).toBeUndefined();
  });

  it('refuses a zero rate, a burst below one, another status and unknown keys, naming each path', () => {
    // Act
    const message = problemsOf(withRateLimit({ eventsPerSecond: 0, burst: 0.5, status: 500, perMinute: 1 }));

    // Assess
    expect(message).toContain('sources.0.rateLimit.eventsPerSecond');
    expect(message).toContain('sources.0.rateLimit.burst');
    expect(message).toContain('sources.0.rateLimit.status');
    expect(message).toContain('perMinute');
  });

  it('refuses a rateLimit without its burst', () => {
    // Act
    const message = problemsOf(withRateLimit({ eventsPerSecond: 10 }));

    // Assess
    expect(message).toContain('sources.0.rateLimit.burst');
  });
});
