import { CONTEXT_DEFAULTS, InvalidDeployConfigError, readDeployConfig } from '../../lib/config';

const lookup =
  (context: Record<string, unknown>) =>
  (key: string): unknown =>
    context[key];

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    readDeployConfig(lookup(context));
  } catch (error) {
    if (error instanceof InvalidDeployConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the context to be rejected');
}

describe('readDeployConfig', () => {
  it('deploys both stacks in one account when only externalIds is given, with the documented defaults', () => {
    const config = readDeployConfig(lookup({ externalIds: 'abc-123' }));

    expect(config.topology).toBe('same-account');
    expect(config.stream).toEqual({
      failedEventsStream: true,
      externalIds: ['abc-123'],
      capacity: { mode: 'on-demand' },
      retentionHours: 24,
      encryption: 'aws-managed',
      alarms: {},
    });
    expect(config.collector).toMatchObject({
      sourceId: CONTEXT_DEFAULTS.sourceId,
      allowedOrigins: ['*'],
      memorySize: 256,
      timeoutSeconds: 10,
      tracing: false,
      throttlingRateLimit: 1000,
      throttlingBurstLimit: 2000,
      logRetentionDays: 30,
    });
    expect(config.collector?.destination).toBeUndefined();
  });

  it('deploys the stream stack alone for a collector in another account', () => {
    const config = readDeployConfig(
      lookup({
        collectorAccountId: '111111111111',
        externalIds: 'a-1, b-2',
        streamMode: 'PROVISIONED',
        shardCount: '4',
      }),
    );

    expect(config.topology).toBe('stream-account');
    expect(config.collector).toBeUndefined();
    expect(config.stream).toMatchObject({
      collectorAccountId: '111111111111',
      externalIds: ['a-1', 'b-2'],
      capacity: { mode: 'provisioned', shardCount: 4 },
    });
  });

  it('deploys the collector stack alone and reads region and stream name from the stream ARN', () => {
    const config = readDeployConfig(
      lookup({
        writerRoleArn: 'arn:aws-cn:iam::222222222222:role/path/Writer',
        streamArn: 'arn:aws-cn:kinesis:cn-north-1:222222222222:stream/events',
        externalId: 'ext-1',
      }),
    );

    expect(config.topology).toBe('collector-account');
    expect(config.stream).toBeUndefined();
    expect(config.collector?.destination).toEqual({
      id: 'kinesis',
      roleArn: 'arn:aws-cn:iam::222222222222:role/path/Writer',
      streamArn: 'arn:aws-cn:kinesis:cn-north-1:222222222222:stream/events',
      streamName: 'events',
      region: 'cn-north-1',
      externalId: 'ext-1',
    });
  });

  it('accepts lists from cdk.json as arrays', () => {
    const config = readDeployConfig(
      lookup({ externalIds: ['x-1', 'x-2'], allowedOrigins: ['https://a.example', 'http://localhost:3000'] }),
    );

    expect(config.stream?.externalIds).toEqual(['x-1', 'x-2']);
    expect(config.collector?.allowedOrigins).toEqual(['https://a.example', 'http://localhost:3000']);
  });

  it('asks for externalIds when no context is given', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^externalIds: required.*-c externalIds=/)]);
  });

  it.each([
    ['one character long', 'a'],
    ['containing a space', 'has space'],
    ['1225 characters long', 'x'.repeat(1225)],
    ['containing a semicolon', 'semi;colon'],
  ])('rejects an external ID %s and says which characters to use', (_, id) => {
    expect(problemsOf({ externalIds: id })).toEqual([
      expect.stringMatching(/^externalIds: .* is not a valid external ID; use 2-1224 characters/),
    ]);
  });

  it('rejects a malformed role ARN, stream ARN and external ID, naming each key', () => {
    const problems = problemsOf({
      writerRoleArn: 'arn:aws:iam::12345:role/Writer',
      streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:table/events',
      externalId: '!',
    });

    expect(problems).toEqual([
      expect.stringMatching(/^writerRoleArn: .* is not an IAM role ARN; use the WriterRoleArn output/),
      expect.stringMatching(/^streamArn: .* is not a Kinesis stream ARN; use the StreamArn output/),
      expect.stringMatching(/^externalId: .* is not a valid external ID/),
    ]);
  });

  it('asks for the missing keys when the collector is deployed alone with only some of them', () => {
    expect(problemsOf({ writerRoleArn: 'arn:aws:iam::222222222222:role/Writer' })).toEqual([
      expect.stringMatching(/^streamArn: required to deploy the collector alone/),
      expect.stringMatching(/^externalId: required to deploy the collector alone/),
    ]);
  });

  it('rejects a collector account ID that is not 12 digits', () => {
    expect(problemsOf({ collectorAccountId: '1234', externalIds: 'ok-id' })).toEqual([
      expect.stringMatching(/^collectorAccountId: "1234" is not an AWS account ID; use the 12 digits/),
    ]);
  });

  it('refuses to mix the keys of the two cross-account deployments', () => {
    expect(problemsOf({ collectorAccountId: '111111111111', externalIds: 'a-1', externalId: 'a-1' })).toEqual(
      [expect.stringMatching(/belong to different deployments/)],
    );
  });

  it('rejects throttling numbers that are not positive whole numbers or a burst below the rate', () => {
    expect(problemsOf({ externalIds: 'a-1', throttlingRateLimit: '-5' })).toEqual([
      expect.stringMatching(/^throttlingRateLimit: "-5" is not valid; use a whole number from 1/),
    ]);
    expect(
      problemsOf({ externalIds: 'a-1', throttlingRateLimit: '500', throttlingBurstLimit: '100' }),
    ).toEqual([expect.stringMatching(/^throttlingBurstLimit: 100 is below throttlingRateLimit 500/)]);
  });

  it('rejects an origin with a path and a log retention CloudWatch does not offer', () => {
    expect(
      problemsOf({ externalIds: 'a-1', allowedOrigins: 'https://a.example/app', logRetentionDays: '10' }),
    ).toEqual([
      expect.stringMatching(/^allowedOrigins: "https:\/\/a.example\/app" is not an origin/),
      expect.stringMatching(/^logRetentionDays: 10 is not a CloudWatch Logs retention/),
    ]);
  });

  it('rejects a shard count without provisioned mode and an unknown stream mode', () => {
    expect(problemsOf({ externalIds: 'a-1', shardCount: '2' })).toEqual([
      expect.stringMatching(/^shardCount: only used with streamMode=PROVISIONED/),
    ]);
    expect(problemsOf({ externalIds: 'a-1', streamMode: 'FAST' })).toEqual([
      expect.stringMatching(/^streamMode: "FAST" is not valid; use one of ON_DEMAND, PROVISIONED/),
    ]);
  });

  it('lists every problem in one error message that points to the docs', () => {
    expect(() => readDeployConfig(lookup({ externalIds: 'a', retentionHours: '1' }))).toThrow(
      /Invalid CDK context.*docs\/deploying.md[\s\S]*externalIds[\s\S]*retentionHours: "1" is not valid; use a whole number from 24 to 8760/,
    );
  });
});
