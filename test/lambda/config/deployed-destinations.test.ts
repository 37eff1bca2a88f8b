import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError, readRuntimeConfig } from '../../../lambda/config/runtime-config';

/** A key-free document as deploy ships it: `kinesis` is bound to the stream stack at deploy. */
const document = {
  sources: [{ id: 'web', destinations: ['kinesis'] }],
  destinations: [
    { id: 'kinesis', streamName: 'events', failedStreamName: 'events-failed', region: 'us-east-1' },
  ],
};

const deployed = {
  kinesis: {
    streamName: 'Stack-EventsStream-ABC',
    failedStreamName: 'Stack-FailedEventsStream-DEF',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::111111111111:role/Stack-WriterRole',
    externalId: 'ext-1234',
  },
};

describe('the configuration document in the code asset with COLLECTOR_DESTINATIONS', () => {
  const taskRoot = mkdtempSync(join(tmpdir(), 'task-root-'));
  writeFileSync(join(taskRoot, 'collector-config.json'), JSON.stringify(document));
  afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));
  const env = (extra: Record<string, string> = {}) => ({
    COLLECTOR_CONFIG_FILE: 'collector-config.json',
    LAMBDA_TASK_ROOT: taskRoot,
    WRITE_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:keys',
    ...extra,
  });

  it("reads a relative COLLECTOR_CONFIG_FILE from the function's code directory", () => {
    // Act
    const config = readRuntimeConfig(env());

    // Assess
    expect(config.destinations.map((destination) => destination.streamName)).toEqual(['events']);
  });

  it("replaces the bound destination's stream, failed stream, region, role and external ID with the deployed values", () => {
    // Act
    const config = readRuntimeConfig(env({ COLLECTOR_DESTINATIONS: JSON.stringify(deployed) }));

    // Assess
    const [destination] = config.destinations;
    expect(destination).toMatchObject({ id: 'kinesis', ...deployed.kinesis, aggregate: false });
  });

  it('refuses deployed values for a destination the document does not have, naming it', () => {
    // Act
    const read = () =>
      readRuntimeConfig(env({ COLLECTOR_DESTINATIONS: JSON.stringify({ other: deployed.kinesis }) }));

    // Assess
    expect(read).toThrow(InvalidConfigError);
    expect(read).toThrow(/COLLECTOR_DESTINATIONS names destination "other"/);
  });

  it('refuses deployed values other than stream, failed stream, region, role and external ID', () => {
    // Act
    const read = () =>
      readRuntimeConfig(
        env({ COLLECTOR_DESTINATIONS: JSON.stringify({ kinesis: { endpoint: 'http://127.0.0.1:1' } }) }),
      );

    // Assess
    expect(read).toThrow(/COLLECTOR_DESTINATIONS\.kinesis: endpoint cannot be set at deploy/);
  });

  it('refuses COLLECTOR_DESTINATIONS that is not JSON', () => {
    expect(() => readRuntimeConfig(env({ COLLECTOR_DESTINATIONS: '{' }))).toThrow(
      /COLLECTOR_DESTINATIONS is not JSON/,
    );
  });
});
