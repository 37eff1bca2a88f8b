import { EventPacer } from '../../tools/replay-archive/event-pacer';
import { stampReplayed } from '../../tools/replay-archive/replay-archive';
import {
  parseReplayArchiveArgs,
  ReplayArchiveArgsError,
} from '../../tools/replay-archive/replay-archive-args';

const NOW = new Date('2026-12-06T21:00:00Z');
const LOCAL = ['--archive-dir', 'archive', '--endpoint', 'http://127.0.0.1:4567'];
const parse = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  parseReplayArchiveArgs(argv, env, NOW);

describe('npm run replay arguments', () => {
  it('reads a local replay with npm start’s suppression table and a default target of events', () => {
    const args = parse([...LOCAL, '--from', '2h', '--type', 'track,page', '--source', 'web']);
    expect(args).toMatchObject({
      from: new Date('2026-12-06T19:00:00Z'),
      to: NOW,
      archive: { kind: 'folder', dir: 'archive' },
      target: { streamName: 'events', endpoint: 'http://127.0.0.1:4567' },
      types: ['track', 'page'],
      sourceIds: ['web'],
      dryRun: false,
      suppression: { ignore: false, tableName: 'suppression', endpoint: 'http://127.0.0.1:4568' },
    });
  });

  it.each([
    [['--from', '1h'], /--archive-dir DIR .* or --bucket NAME/],
    [[...LOCAL], /--from TIME is required/],
    [[...LOCAL, '--from', 'yesterday'], /--from yesterday is not an ISO-8601 time/],
    [[...LOCAL, '--from', '1h', '--to', '2h'], /is not after --from/],
    [[...LOCAL, '--from', '1h', '--checkpoint', 'c.json'], /--checkpoint needs --from as an ISO-8601 time/],
    [[...LOCAL, '--from', '1h', '--rate', '0'], /--rate 0 is not a positive number/],
    [
      ['--bucket', 'b', '--from', '1h'],
      /applies the suppression list: give --suppression-table NAME --hash-key-secret ARN/,
    ],
    [['--bucket', 'b', '--from', '1h', '--suppression-table', 't'], /--hash-key-secret ARN .* is required/],
    [[...LOCAL, '--bucket', 'b', '--from', '1h'], /one archive/],
    [[...LOCAL, '--from', '1h', '--dedup'], /--dedup needs the dedup table/],
    [[...LOCAL, '--from', '1h', '--limit', '3'], /Unknown option '--limit'.*--help/],
  ])('refuses %j with a message saying what to change', (argv, message) => {
    expect(() => parse(argv)).toThrow(ReplayArchiveArgsError);
    expect(() => parse(argv)).toThrow(message);
  });

  it('takes ARCHIVE_DIR and STREAM_NAME from the environment, and S3 with --ignore-suppression', () => {
    expect(
      parse(['--from', '1h', '--endpoint', 'http://127.0.0.1:4567'], { ARCHIVE_DIR: 'a', STREAM_NAME: 's' }),
    ).toMatchObject({
      archive: { kind: 'folder', dir: 'a' },
      target: { streamName: 's' },
    });
    expect(parse(['--bucket', 'b', '--prefix', 'p', '--from', '1h', '--ignore-suppression'])).toMatchObject({
      archive: { kind: 's3', bucket: 'b', prefix: 'p/' },
      suppression: { ignore: true },
    });
  });
});

describe('what replay writes and how fast', () => {
  it('stamps replayed_at into context.kinesis_event_forwarder, keeping what is there', () => {
    const record = {
      event_id: 'e-1',
      context: { ip: '1.2.3.4', kinesis_event_forwarder: { overflow: true } },
    };
    expect(stampReplayed(record, NOW)).toEqual({
      event_id: 'e-1',
      context: {
        ip: '1.2.3.4',
        kinesis_event_forwarder: { overflow: true, replayed_at: '2026-12-06T21:00:00.000Z' },
      },
    });
    expect(stampReplayed({ event_id: 'e-2', context: null }, NOW).context).toEqual({
      kinesis_event_forwarder: { replayed_at: '2026-12-06T21:00:00.000Z' },
    });
  });

  it('paces batches to the rate: 1,500 events at 500/s take 2 s after the first batch', async () => {
    let clock = 0;
    const waits: number[] = [];
    const pacer = new EventPacer(
      500,
      () => clock,
      async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    );
    for (let batch = 0; batch < 3; batch++) await pacer.take(500);
    expect(waits).toEqual([1000, 1000]);
    expect(clock).toBe(2000);
  });
});
