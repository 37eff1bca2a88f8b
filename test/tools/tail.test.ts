import { ensureStream } from '../../local/streams';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';
import { type Envelope, envelope, eventually, jsonLines, putEnvelopes, runTail } from './tail-support';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('npm run tail against kinesalite', () => {
  const kinesis = useTestKinesis();
  let streamCounter = 0;

  async function newStream(shards = 3): Promise<string> {
    const name = `tail-${process.pid}-${++streamCounter}`;
    await ensureStream(kinesis.client, name, shards);
    return name;
  }

  const varied = (): Envelope[] => [
    envelope({ id: 'e1', userId: 'ann', event: 'Order Completed', source: 'web' }),
    envelope({ id: 'e2', userId: 'bob', type: 'page', name: 'Home', source: 'web' }),
    envelope({ id: 'e3', userId: null, anonymousId: 'anon-7', type: 'identify', source: 'ios' }),
    envelope({ id: 'e4', userId: 'cid', event: 'Signed Up', source: 'ios' }),
    envelope({ id: 'e5', userId: 'dee', type: 'screen', name: 'Welcome', source: 'android' }),
    envelope({ id: 'e6', userId: 'ann', event: 'Signed Up', source: 'web' }),
  ];

  it('prints every record so far as JSON lines and exits 0 with --from-start --json --no-follow', async () => {
    // Prepare
    const stream = await newStream(3);
    const written = varied();
    await putEnvelopes(kinesis.client, stream, written);
    const stored = await readAllRecords(kinesis.client, stream);
    expect(new Set(stored.map((record) => record.shardId)).size).toBeGreaterThan(1);

    // Act
    const run = runTail(
      ['--endpoint', kinesis.endpoint, '--stream', stream, '--from-start', '--json', '--no-follow'],
      'npm',
    );
    const code = await run.exited;

    // Assess
    expect({ code, stderr: run.stderr().replace(/npm warn.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    const lines = jsonLines(run.stdout());
    expect(lines).toHaveLength(written.length);
    const byId = new Map(lines.map((line) => [line.envelope.event_id, line]));
    for (const record of stored) {
      expect(byId.get(record.json.event_id as string)).toEqual({
        meta: {
          shardId: record.shardId,
          partitionKey: record.partitionKey,
          sequenceNumber: record.sequenceNumber,
          arrivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        },
        envelope: record.json,
      });
    }
  }, 60_000);

  it('prints only events that match every filter given, any of each filter’s values', async () => {
    const stream = await newStream(2);
    await putEnvelopes(kinesis.client, stream, varied());
    const base = [
      '--endpoint',
      kinesis.endpoint,
      '--stream',
      stream,
      '--from-start',
      '--json',
      '--no-follow',
    ];

    const runs = {
      type: runTail([...base, '--type', 'page,screen']),
      user: runTail([...base, '--user', 'ann', '--user', 'anon-7']),
      event: runTail([...base, '--event', 'Signed Up']),
      source: runTail([...base, '--source', 'ios']),
      combined: runTail([...base, '--source', 'web', '--event', 'Signed Up']),
    };
    const ids = async (run: ReturnType<typeof runTail>) => {
      expect(await run.exited).toBe(0);
      return jsonLines(run.stdout())
        .map((line) => line.envelope.event_id)
        .sort();
    };

    expect(await ids(runs.type)).toEqual(['e2', 'e5']);
    expect(await ids(runs.user)).toEqual(['e1', 'e3', 'e6']);
    expect(await ids(runs.event)).toEqual(['e4', 'e6']);
    expect(await ids(runs.source)).toEqual(['e3', 'e4']);
    expect(await ids(runs.combined)).toEqual(['e6']);
  }, 60_000);

  it('starts at the given time with --since', async () => {
    const stream = await newStream(2);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'old-1', userId: 'ann' }),
      envelope({ id: 'old-2', userId: 'bob' }),
    ]);
    await sleep(1_100);
    const since = new Date().toISOString();
    await sleep(1_100);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'new-1', userId: 'ann' }),
      envelope({ id: 'new-2', userId: 'cid' }),
    ]);

    const run = runTail([
      '--endpoint',
      kinesis.endpoint,
      '--stream',
      stream,
      '--since',
      since,
      '--json',
      '--no-follow',
    ]);

    expect(await run.exited).toBe(0);
    expect(
      jsonLines(run.stdout())
        .map((line) => line.envelope.event_id)
        .sort(),
    ).toEqual(['new-1', 'new-2']);
  }, 60_000);

  it('follows from LATEST: prints a record written after it started, and exits 0 on SIGINT', async () => {
    const stream = await newStream(2);
    await putEnvelopes(kinesis.client, stream, [envelope({ id: 'before', userId: 'ann' })]);
    const run = runTail(['--endpoint', kinesis.endpoint, '--stream', stream, '--json']);
    await eventually('tail says it is following', () => /following 2 shards/.test(run.stderr()));

    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'after-1', userId: 'ann' }),
      envelope({ id: 'after-2', userId: 'zed' }),
    ]);
    await eventually('both new records are printed', () => jsonLines(run.stdout()).length === 2);
    run.child.kill('SIGINT');

    expect(await run.exited).toBe(0);
    expect(
      jsonLines(run.stdout())
        .map((line) => line.envelope.event_id)
        .sort(),
    ).toEqual(['after-1', 'after-2']);
  }, 60_000);

  it('prints colourless one-line summaries when stdout is not a terminal', async () => {
    const stream = await newStream(1);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'p1', userId: 'bob', type: 'page', name: 'Pricing' }),
    ]);

    const run = runTail(['--endpoint', kinesis.endpoint, '--stream', stream, '--from-start', '--no-follow']);

    expect(await run.exited).toBe(0);
    const out = run.stdout();
    expect(out).not.toContain('\u001b[');
    expect(out.trim()).toMatch(/^\S+Z {2}page {6}"Pricing" {2}bob {2}pk=bob {2}shardId-000000000000$/);
  }, 60_000);

  it('fails with exit status 2 and one line naming the stream when the stream does not exist', async () => {
    const run = runTail([
      '--endpoint',
      kinesis.endpoint,
      '--stream',
      'no-such-stream',
      '--from-start',
      '--no-follow',
    ]);

    expect(await run.exited).toBe(2);
    expect(run.stdout()).toBe('');
    expect(run.stderr().trim().split('\n')).toEqual([
      `tail: stream "no-such-stream" not found at ${kinesis.endpoint}: check --stream, and --endpoint or --region`,
    ]);
  }, 60_000);

  it('fails with exit status 2 and one line when an argument is wrong', async () => {
    const run = runTail(['--stream', 'events', '--from-start', '--since', '10m']);

    expect(await run.exited).toBe(2);
    expect(run.stderr().trim().split('\n')).toEqual([
      'tail: --from-start and --since both say where to start: give one of them',
    ]);
  }, 60_000);
});
