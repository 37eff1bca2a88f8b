import { parseLiveArgs } from '../../tools/live/live-args';
import { ReplayArgsError, runReplayCli } from '../../tools/replay/replay-cli';
import { parseSince, parseTailArgs, TailArgsError } from '../../tools/tail/tail-args';

const NOW = new Date('2026-11-21T23:15:00.000Z');

describe('parseTailArgs', () => {
  it('reads the contract command: emulator endpoint, from the start, JSON, no follow', () => {
    expect(
      parseTailArgs(
        [
          '--endpoint',
          'http://127.0.0.1:4567',
          '--stream',
          'events',
          '--from-start',
          '--json',
          '--no-follow',
        ],
        {},
        NOW,
      ),
    ).toEqual({
      connection: { streamName: 'events', endpoint: 'http://127.0.0.1:4567', region: 'us-east-1' },
      start: { type: 'TRIM_HORIZON' },
      follow: false,
      json: true,
      filters: { types: [], users: [], events: [], sources: [] },
    });
  });

  it('starts from LATEST and follows by default, with the region from AWS_REGION', () => {
    expect(parseTailArgs(['--stream', 'events'], { AWS_REGION: 'eu-west-1' }, NOW)).toMatchObject({
      connection: { streamName: 'events', region: 'eu-west-1' },
      start: { type: 'LATEST' },
      follow: true,
      json: false,
    });
  });

  it('reads an assumed role with its external ID, over a profile', () => {
    const options = parseTailArgs(
      [
        '--stream',
        'events',
        '--region',
        'eu-west-1',
        '--profile',
        'ops',
        '--role-arn',
        'arn:aws:iam::1:role/r',
        '--external-id',
        'x-1',
      ],
      {},
      NOW,
    );
    expect(options).toMatchObject({
      connection: {
        region: 'eu-west-1',
        profile: 'ops',
        roleArn: 'arn:aws:iam::1:role/r',
        externalId: 'x-1',
      },
    });
  });

  it('collects repeated and comma-separated filter values', () => {
    expect(
      parseTailArgs(
        [
          '--stream',
          's',
          '--type',
          'track,page',
          '--type',
          'screen',
          '--user',
          'u1',
          '--event',
          'A',
          '--source',
          'web',
        ],
        {},
        NOW,
      ),
    ).toMatchObject({
      filters: { types: ['track', 'page', 'screen'], users: ['u1'], events: ['A'], sources: ['web'] },
    });
  });

  it('reads --failed --stream NAME as the failed-events stream NAME-failed', () => {
    expect(
      parseTailArgs(['--failed', '--stream', 'orders', '--endpoint', 'http://127.0.0.1:4567'], {}, NOW),
    ).toMatchObject({ connection: { streamName: 'orders-failed' }, failed: true });
  });

  it('reads --failed alone as local mode’s failed-events stream: FAILED_STREAM_NAME, else STREAM_NAME-failed, else events-failed', () => {
    const streamOf = (env: NodeJS.ProcessEnv) => {
      const options = parseTailArgs(['--failed'], env, NOW);
      return options === 'help' ? 'help' : options.connection.streamName;
    };
    expect(streamOf({})).toBe('events-failed');
    expect(streamOf({ STREAM_NAME: 'clicks' })).toBe('clicks-failed');
    expect(streamOf({ STREAM_NAME: 'clicks', FAILED_STREAM_NAME: 'refused' })).toBe('refused');
  });

  it('reads --failed alone from npm start’s emulator: KINESIS_ENDPOINT, else 127.0.0.1:KINESIS_PORT, else 127.0.0.1:4567', () => {
    const endpointOf = (env: NodeJS.ProcessEnv) => {
      const options = parseTailArgs(['--failed', '--no-follow'], env, NOW);
      return options === 'help' ? 'help' : options.connection.endpoint;
    };
    expect(endpointOf({})).toBe('http://127.0.0.1:4567');
    expect(endpointOf({ AWS_REGION: 'eu-west-1' })).toBe('http://127.0.0.1:4567');
    expect(endpointOf({ KINESIS_PORT: '14567' })).toBe('http://127.0.0.1:14567');
    expect(endpointOf({ KINESIS_ENDPOINT: 'http://127.0.0.1:9000', KINESIS_PORT: '14567' })).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('reads --failed from where a connection flag or --stream says, not from the emulator', () => {
    for (const argv of [
      ['--failed', '--region', 'eu-west-1'],
      ['--failed', '--profile', 'ops'],
      ['--failed', '--stream', 'orders'],
    ]) {
      const options = parseTailArgs(argv, { AWS_REGION: 'eu-west-1' }, NOW);
      expect(options === 'help' ? 'help' : options.connection.endpoint).toBeUndefined();
    }
    expect(parseTailArgs(['--failed', '--endpoint', 'http://127.0.0.1:5000'], {}, NOW)).toMatchObject({
      connection: { endpoint: 'http://127.0.0.1:5000' },
    });
  });

  it('leaves failed unset without --failed, whatever FAILED_STREAM_NAME says', () => {
    const options = parseTailArgs(['--stream', 'events'], { FAILED_STREAM_NAME: 'refused' }, NOW);
    expect(options).toMatchObject({ connection: { streamName: 'events' } });
    expect(options).not.toHaveProperty('failed');
  });

  it.each([
    [[], '--stream NAME is required (the Kinesis stream to read), or --failed'],
    [['--stream', 's', '--from-start', '--since', '1h'], '--from-start and --since'],
    [['--stream', 's', '--external-id', 'x'], '--external-id is only used with --role-arn'],
    [['--stream', 's', '--endpoint', 'localhost:4567'], 'is not an http:// or https:// URL'],
    [['--stream', 's', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a message that says what to change', (argv, message) => {
    expect(() => parseTailArgs(argv, {}, NOW)).toThrow(TailArgsError);
    expect(() => parseTailArgs(argv, {}, NOW)).toThrow(message);
  });
});

describe('parseSince', () => {
  it.each([
    ['30s', '2026-11-21T23:14:30.000Z'],
    ['10m', '2026-11-21T23:05:00.000Z'],
    ['2h', '2026-11-21T21:15:00.000Z'],
    ['1d', '2026-11-20T23:15:00.000Z'],
    ['2026-11-21T12:00:00Z', '2026-11-21T12:00:00.000Z'],
  ])('reads %s as %s', (value, expected) => {
    expect(parseSince(value, NOW).toISOString()).toBe(expected);
  });

  it('refuses a time in the future and anything that is not a duration or a time', () => {
    expect(() => parseSince('2027-01-01T00:00:00Z', NOW)).toThrow('is in the future');
    expect(() => parseSince('ten minutes', NOW)).toThrow('is not a duration');
  });
});

describe('the connection flags tail, live and replay-failed share', () => {
  it('refuses --external-id without --role-arn with the same message in each command', async () => {
    const message = '--external-id is only used with --role-arn: give the role to assume';
    const flags = ['--stream', 'events-failed', '--external-id', 'x-1'];
    expect(() => parseTailArgs(flags, {}, NOW)).toThrow(message);
    expect(() => parseLiveArgs(flags, {}, NOW)).toThrow(message);
    await expect(
      runReplayCli([...flags, '--since', '1h'], {}, { log: () => undefined, progress: () => undefined }),
    ).rejects.toThrow(message);
  });

  it('reads the same connection from the same flags in each command', async () => {
    const flags = ['--stream', 's', '--region', 'eu-west-1', '--role-arn', 'arn:aws:iam::1:role/r'];
    const expected = { streamName: 's', region: 'eu-west-1', roleArn: 'arn:aws:iam::1:role/r' };
    expect(parseTailArgs(flags, {}, NOW)).toMatchObject({ connection: expected });
    expect(parseLiveArgs(flags, {}, NOW)).toMatchObject({ connection: expected });
  });

  it('names the command’s own help for a flag none of them knows', async () => {
    expect(() => parseLiveArgs(['--stream', 's', '--bogus'], {}, NOW)).toThrow(
      "Unknown option '--bogus'. Run with --help for the options",
    );
    await expect(
      runReplayCli(['--bogus'], {}, { log: () => undefined, progress: () => undefined }),
    ).rejects.toThrow(ReplayArgsError);
  });
});
