import { DEFAULT_LIVE_PORT, LiveArgsError, parseLiveArgs } from '../../tools/live/live-args';

describe('parseLiveArgs', () => {
  const now = new Date('2026-11-29T12:00:00Z');

  it('reads a stream on AWS through an assumed role, from LATEST, on the default port', () => {
    expect(
      parseLiveArgs(
        [
          '--stream',
          'events',
          '--region',
          'eu-west-1',
          '--role-arn',
          'arn:aws:iam::123456789012:role/reader',
          '--external-id',
          'ID-1',
        ],
        {},
        now,
      ),
    ).toEqual({
      connection: {
        streamName: 'events',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::123456789012:role/reader',
        externalId: 'ID-1',
      },
      start: { type: 'LATEST' },
      port: DEFAULT_LIVE_PORT,
      capacity: 200,
    });
  });

  it('reads the emulator with --since, a free port, a named failed stream and a capacity', () => {
    expect(
      parseLiveArgs(
        [
          '--stream',
          'events',
          '--endpoint',
          'http://127.0.0.1:4567',
          '--since',
          '10m',
          '--port',
          '0',
          '--failed-stream',
          'bad',
          '--capacity',
          '500',
        ],
        {},
        now,
      ),
    ).toEqual({
      connection: { streamName: 'events', endpoint: 'http://127.0.0.1:4567', region: 'us-east-1' },
      failedStreamName: 'bad',
      start: { type: 'AT_TIMESTAMP', timestamp: new Date('2026-11-29T11:50:00Z') },
      port: 0,
      capacity: 500,
    });
  });

  it('refuses a missing stream, a port out of range, the main stream as failed stream and --external-id alone', () => {
    const error = (argv: string[]) => {
      try {
        parseLiveArgs(argv, {}, now);
      } catch (caught) {
        expect(caught).toBeInstanceOf(LiveArgsError);
        return (caught as Error).message;
      }
      throw new Error('no error');
    };

    expect(error([])).toBe('--stream NAME is required (the Kinesis stream to watch)');
    expect(error(['--stream', 'e', '--port', '70000'])).toBe(
      '--port 70000 must be a whole number from 0 to 65535',
    );
    expect(error(['--stream', 'e', '--failed-stream', 'e'])).toBe(
      '--failed-stream names the main stream: give the failed-events stream',
    );
    expect(error(['--stream', 'e', '--external-id', 'x'])).toBe(
      '--external-id is only used with --role-arn: give the role to assume',
    );
    expect(error(['--stream', 'e', '--bogus'])).toMatch(/--bogus.*Run with --help for the options$/);
  });
});
