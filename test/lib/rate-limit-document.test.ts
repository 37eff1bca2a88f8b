import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';

/** A key-free one-source document whose source has `rateLimit` as given. */
const documentWith = (rateLimit: unknown) => ({
  sources: [{ id: 'backend', destinations: ['kinesis'], rateLimit }],
  destinations: [{ id: 'kinesis', streamName: 'events', region: 'us-east-1' }],
});

/** `-c externalIds=ext-1 -c collectorConfig=deploy.json`, the document read from memory. */
const configOf = (document: unknown) =>
  readDeployConfig((key) => ({ externalIds: 'ext-1', collectorConfig: 'deploy.json' })[key], {
    readFile: () => JSON.stringify(document),
  });

describe('a source’s rateLimit in a deployed configuration document', () => {
  it('passes synth validation and rides the document as written, status defaulted to 429', () => {
    // Act
    const config = configOf(documentWith({ eventsPerSecond: 100, burst: 500 }));

    // Assess
    expect(config.collector?.document?.config.sources[0]?.rateLimit).toEqual({
      eventsPerSecond: 100,
      burst: 500,
      status: 429,
    });
    expect(config.collector?.document?.document).toMatchObject(
      documentWith({ eventsPerSecond: 100, burst: 500 }),
    );
  });

  it('is refused at synth when invalid, naming the field as a cold start would', () => {
    // Act
    let problems: readonly string[] = [];
    try {
      configOf(documentWith({ eventsPerSecond: 100, burst: 500, status: 418 }));
    } catch (error) {
      if (!(error instanceof InvalidDeployConfigError)) throw error;
      problems = error.problems;
    }

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^collectorConfig: deploy\.json: sources\.0\.rateLimit\.status: /),
    ]);
  });
});
