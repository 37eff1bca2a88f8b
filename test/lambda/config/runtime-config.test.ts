import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidConfigError,
  parseRuntimeConfig,
  type RuntimeConfigInput,
  readRuntimeConfig,
} from '../../../lambda/config/runtime-config';

/** A realistic two-source, two-destination document: a web shop and an app, main and archive streams. */
function document(): RuntimeConfigInput {
  return structuredClone({
    sources: [
      { id: 'web-shop', writeKeys: ['wk_browser_probe'], destinations: ['main'] },
      { id: 'ios-app', writeKeys: ['wk_node_probe'], destinations: ['main', 'archive'] },
    ],
    destinations: [
      { id: 'main', streamName: 'events', region: 'eu-west-1' },
      {
        id: 'archive',
        streamName: 'events-archive',
        region: 'eu-central-1',
        roleArn: 'arn:aws:iam::123456789012:role/event-writer',
        externalId: 'kef-7f3a9c',
      },
    ],
  });
}

/** The message of the InvalidConfigError that parsing `input` throws. */
function problemsOf(input: unknown, options?: { writeKeysFromSecret?: boolean }): string {
  try {
    parseRuntimeConfig(input, 'configuration', options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseRuntimeConfig', () => {
  it('fills in the documented defaults', () => {
    // Act
    const config = parseRuntimeConfig(document());

    // Assess
    expect(config.limits).toEqual({ maxEventBytes: 32 * 1024, maxRequestBytes: 500 * 1024 });
    expect(config.delivery).toEqual({
      budgetMs: 6_000,
      reserveMs: 500,
      baseDelayMs: 50,
      maxDelayMs: 1_000,
      retryAfterSeconds: 2,
    });
    expect(config.cors).toEqual({ allowedOrigins: ['*'], maxAgeSeconds: 7_200 });
    expect(config.sources.map((source) => source.partitionKey)).toEqual(['user', 'user']);
  });

  it('keeps the values that are set and defaults the rest of their group', () => {
    // Prepare
    const input = { ...document(), limits: { maxEventBytes: 64 * 1024 }, delivery: { budgetMs: 2_000 } };

    // Act
    const config = parseRuntimeConfig(input);

    // Assess
    expect(config.limits).toEqual({ maxEventBytes: 64 * 1024, maxRequestBytes: 500 * 1024 });
    expect(config.delivery.budgetMs).toBe(2_000);
    expect(config.delivery.maxDelayMs).toBe(1_000);
  });

  it('names the path of a duplicate destination id', () => {
    // Prepare
    const input = document();
    input.destinations.push({ id: 'main', streamName: 'other', region: 'eu-west-1' });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('destinations.2.id: duplicate id "main"');
  });

  it('names the path of a duplicate source id', () => {
    // Prepare
    const input = document();
    input.sources.push({ id: 'web-shop', writeKeys: ['another-key'], destinations: ['main'] });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('sources.2.id: duplicate id "web-shop"');
  });

  it('names the path of a write key used by two sources', () => {
    // Prepare
    const input = document();
    input.sources[1]?.writeKeys?.push('wk_browser_probe');

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('sources.1.writeKeys.1: this write key is already used by another source');
  });

  it('names the path of a source sending to an unknown destination', () => {
    // Prepare
    const input = document();
    input.sources[0]?.destinations.push('mian');

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('sources.0.destinations.1: no destination has id "mian"');
  });

  it.each([
    ['an S3 ARN', 'arn:aws:s3:::my-bucket'],
    ['an account of 11 digits', 'arn:aws:iam::12345678901:role/event-writer'],
    ['a user instead of a role', 'arn:aws:iam::123456789012:user/alice'],
    ['a bare role name', 'event-writer'],
  ])('refuses a roleArn that is %s and names the field', (_, roleArn) => {
    // Prepare
    const input = document();
    Object.assign(input.destinations[1] ?? {}, { roleArn });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('destinations.1.roleArn: must be an IAM role ARN');
  });

  it.each([
    ['arn:aws-cn:iam::123456789012:role/event-writer'],
    ['arn:aws:iam::123456789012:role/path/to/event-writer'],
  ])('accepts the role ARN %s', (roleArn) => {
    // Prepare
    const input = document();
    Object.assign(input.destinations[1] ?? {}, { roleArn });

    // Act
    const config = parseRuntimeConfig(input);

    // Assess
    expect(config.destinations[1]?.roleArn).toBe(roleArn);
  });

  it.each([
    ['one character long', 'x'],
    ['with a space', 'kef 7f3a9c'],
    ['over 1224 characters', 'x'.repeat(1225)],
  ])('refuses an externalId %s and names the field', (_, externalId) => {
    // Prepare
    const input = document();
    Object.assign(input.destinations[1] ?? {}, { externalId });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('destinations.1.externalId: must be 2-1224 characters');
  });

  it('refuses an externalId without a roleArn and says to set roleArn', () => {
    // Prepare
    const input = document();
    Object.assign(input.destinations[0] ?? {}, { externalId: 'kef-7f3a9c' });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain(
      'destinations.0.externalId: an external ID is only used to assume a role: set roleArn too',
    );
  });

  it('refuses a roleArn together with static credentials', () => {
    // Prepare
    const input = document();
    Object.assign(input.destinations[1] ?? {}, {
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' },
    });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain(
      'destinations.1.credentials: set either roleArn or static credentials, not both',
    );
  });

  it('requires writeKeys on every source unless they come from the secret', () => {
    // Prepare
    const input = document();
    delete input.sources[1]?.writeKeys;

    // Act
    const message = problemsOf(input);
    const fromSecret = parseRuntimeConfig(input, 'configuration', { writeKeysFromSecret: true });

    // Assess
    expect(message).toContain('sources.1.writeKeys: required (or set WRITE_KEYS_SECRET_ARN');
    expect(fromSecret.sources[1]?.writeKeys).toBeUndefined();
  });

  it('refuses unknown keys, so a typo does not go unnoticed', () => {
    // Prepare
    const input = { ...document(), limit: { maxEventBytes: 1 } };

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toMatch(/\(root\): .*limit/);
  });

  it('lists every problem, not only the first', () => {
    // Prepare
    const input = document();
    input.sources.push({ id: 'web-shop', writeKeys: ['wk_node_probe'], destinations: ['nowhere'] });

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  it('refuses an empty list of sources or destinations', () => {
    // Act
    const message = problemsOf({ sources: [], destinations: [] });

    // Assess
    expect(message).toContain('  - sources:');
    expect(message).toContain('  - destinations:');
  });

  it('refuses limits outside their range and names them', () => {
    // Prepare
    const input = { ...document(), limits: { maxEventBytes: 10, maxRequestBytes: 100 * 1024 * 1024 } };

    // Act
    const message = problemsOf(input);

    // Assess
    expect(message).toContain('limits.maxEventBytes');
    expect(message).toContain('limits.maxRequestBytes');
  });
});

describe('readRuntimeConfig', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'collector-config-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reads the document from COLLECTOR_CONFIG', () => {
    // Prepare
    const env = { COLLECTOR_CONFIG: JSON.stringify(document()) };

    // Act
    const config = readRuntimeConfig(env);

    // Assess
    expect(config.sources.map((source) => source.id)).toEqual(['web-shop', 'ios-app']);
    expect(config.limits.maxRequestBytes).toBe(500 * 1024);
  });

  it('reads the document from the file named by COLLECTOR_CONFIG_FILE', () => {
    // Prepare
    const file = join(directory, 'collector.json');
    writeFileSync(file, JSON.stringify(document(), null, 2));

    // Act
    const config = readRuntimeConfig({ COLLECTOR_CONFIG_FILE: file });

    // Assess
    expect(config.destinations.map((destination) => destination.streamName)).toEqual([
      'events',
      'events-archive',
    ]);
  });

  it('lets sources go without writeKeys when WRITE_KEYS_SECRET_ARN is set', () => {
    // Prepare
    const input = document();
    delete input.sources[0]?.writeKeys;
    const env = {
      COLLECTOR_CONFIG: JSON.stringify(input),
      WRITE_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:write-keys-AbCdEf',
    };

    // Act
    const config = readRuntimeConfig(env);

    // Assess
    expect(config.sources[0]?.writeKeys).toBeUndefined();
  });

  it('says which variables to set when neither is', () => {
    // Act
    const reading = () => readRuntimeConfig({});

    // Assess
    expect(reading).toThrow(InvalidConfigError);
    expect(reading).toThrow(/set COLLECTOR_CONFIG to the JSON document or COLLECTOR_CONFIG_FILE to its path/);
  });

  it('says COLLECTOR_CONFIG is not JSON when it is broken', () => {
    // Prepare
    const env = { COLLECTOR_CONFIG: '{"sources": [' };

    // Act
    const reading = () => readRuntimeConfig(env);

    // Assess
    expect(reading).toThrow(/^Invalid collector COLLECTOR_CONFIG: not JSON \(/);
  });

  it('names the file when its content is not JSON', () => {
    // Prepare
    const file = join(directory, 'broken.json');
    writeFileSync(file, 'sources:\n  - id: web-shop\n');

    // Act
    const reading = () => readRuntimeConfig({ COLLECTOR_CONFIG_FILE: file });

    // Assess
    expect(reading).toThrow(`Invalid collector file ${file}: not JSON`);
  });

  it('names the file when it cannot be read', () => {
    // Prepare
    const file = join(directory, 'missing.json');

    // Act
    const reading = () => readRuntimeConfig({ COLLECTOR_CONFIG_FILE: file });

    // Assess
    expect(reading).toThrow(`Cannot read COLLECTOR_CONFIG_FILE ${file}`);
  });

  it('names the origin of an invalid document', () => {
    // Prepare
    const input = document();
    input.sources[0]?.destinations.push('nowhere');

    // Act
    const reading = () => readRuntimeConfig({ COLLECTOR_CONFIG: JSON.stringify(input) });

    // Assess
    expect(reading).toThrow(/^Invalid collector COLLECTOR_CONFIG:\n {2}- sources\.0\.destinations\.1: /);
  });
});

describe('a source with dedup', () => {
  const document = (dedup: unknown) => ({
    sources: [{ id: 's', writeKeys: ['k'], destinations: ['d'], dedup }],
    destinations: [{ id: 'd', streamName: 'events', region: 'eu-west-1' }],
  });

  it('keeps a window of 1 to 168 hours and fills in 24 when the window is left out', () => {
    expect(parseRuntimeConfig(document({ windowHours: 168 })).sources[0]?.dedup).toEqual({
      windowHours: 168,
    });
    expect(parseRuntimeConfig(document({})).sources[0]?.dedup).toEqual({ windowHours: 24 });
  });

  it('refuses a window outside 1 to 168 hours, naming the field', () => {
    expect(() => parseRuntimeConfig(document({ windowHours: 169 }))).toThrow(
      /sources\.0\.dedup\.windowHours/,
    );
    expect(() => parseRuntimeConfig(document({ windowHours: 0 }))).toThrow(/sources\.0\.dedup\.windowHours/);
  });
});
