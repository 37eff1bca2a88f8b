import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureStream } from '../../local/streams';
import { bundledEntry } from '../support/bundled-entry';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';
import {
  type Envelope,
  envelope,
  eventually,
  jsonLines,
  putEnvelopes,
  REPO_ROOT,
  type RunHow,
  runTail,
  tailInThisProcess,
} from './tail-support';

describe('npm run tail against kinesalite', () => {
  const kinesis = useTestKinesis();
  let streamCounter = 0;
  /** tail as one Node process, from its bundle (the npm script itself: the first and the pipe test). */
  let tail: RunHow;

  beforeAll(async () => {
    tail = { bundle: await bundledEntry('bin/tail.ts') };
  }, 60_000);

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

    // tail's own code in this process (what the filters select is the subject, not the process).
    const runs = {
      type: tailInThisProcess([...base, '--type', 'page,screen']),
      user: tailInThisProcess([...base, '--user', 'ann', '--user', 'anon-7']),
      event: tailInThisProcess([...base, '--event', 'Signed Up']),
      source: tailInThisProcess([...base, '--source', 'ios']),
      combined: tailInThisProcess([...base, '--source', 'web', '--event', 'Signed Up']),
    };
    const ids = async (run: ReturnType<typeof tailInThisProcess>) => {
      const { stdout, stderr } = await run;
      expect(stderr).toBe('');
      return jsonLines(stdout)
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
    // The old records arrived before this instant; --since is a few ms later, the new ones later
    // still (kinesalite keeps arrival times in ms, on this process's clock).
    const oldWritten = Date.now();
    await eventually('the clock is past the old records', () => Date.now() > oldWritten + 20);
    const since = new Date().toISOString();
    await eventually('the clock is past --since', () => Date.now() > Date.parse(since) + 20);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'new-1', userId: 'ann' }),
      envelope({ id: 'new-2', userId: 'cid' }),
    ]);

    const run = await tailInThisProcess([
      '--endpoint',
      kinesis.endpoint,
      '--stream',
      stream,
      '--since',
      since,
      '--json',
      '--no-follow',
    ]);

    expect(run.stderr).toBe('');
    expect(
      jsonLines(run.stdout)
        .map((line) => line.envelope.event_id)
        .sort(),
    ).toEqual(['new-1', 'new-2']);
  }, 60_000);

  it('follows from LATEST: prints a record written after it started, and exits 0 on SIGINT', async () => {
    const stream = await newStream(2);
    await putEnvelopes(kinesis.client, stream, [envelope({ id: 'before', userId: 'ann' })]);
    const run = runTail(['--endpoint', kinesis.endpoint, '--stream', stream, '--json'], tail);
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
    expect(run.stderr().trim().split('\n').at(-1)).toBe('tail: 2 records, 2 events (2 printed), 2 shards');
  }, 60_000);

  it('prints records of several shards in arrival order with --no-follow, not shard by shard', async () => {
    // Prepare: rounds of one record per user, users spread over 3 shards, rounds apart in time.
    const stream = await newStream(3);
    const users = ['ann', 'bob', 'cid', 'dee', 'eve', 'fay'];
    for (let round = 0; round < 5; round++) {
      for (const user of users) {
        await putEnvelopes(kinesis.client, stream, [envelope({ id: `${user}-${round}`, userId: user })]);
      }
      await sleep(15);
    }
    const stored = await readAllRecords(kinesis.client, stream);
    expect(new Set(stored.map((record) => record.shardId)).size).toBe(3);

    // Act
    const run = await tailInThisProcess([
      '--endpoint',
      kinesis.endpoint,
      '--stream',
      stream,
      '--from-start',
      '--json',
      '--no-follow',
    ]);

    // Assess: every record once, arrival times never going back, the shards interleaved.
    expect(run.stderr).toBe('');
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.envelope.event_id).sort()).toEqual(
      stored.map((record) => record.json.event_id as string).sort(),
    );
    const arrived = lines.map((line) => Date.parse(line.meta.arrivedAt as string));
    expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
    const shardChanges = lines.filter(
      (line, index) => index > 0 && line.meta.shardId !== lines[index - 1]?.meta.shardId,
    );
    expect(shardChanges.length).toBeGreaterThan(3);
    const rounds = lines.map((line) => Number(line.envelope.event_id.split('-')[1]));
    expect(rounds).toEqual([...rounds].sort((a, b) => a - b));
  }, 60_000);

  it('prints one line and exits 0 without an error when its reader closes the pipe (| head -1) after hundreds of records', async () => {
    // Prepare: far more than a pipe buffer holds.
    const stream = await newStream(2);
    const many = Array.from({ length: 600 }, (_, index) =>
      envelope({ id: `pipe-${index}`, userId: `user-${index % 40}` }),
    );
    for (let start = 0; start < many.length; start += 200) {
      await putEnvelopes(kinesis.client, stream, many.slice(start, start + 200));
    }

    // Act: the documented command, through a real shell pipe.
    const command = `set -o pipefail; npm run -s tail -- --endpoint ${kinesis.endpoint} --stream ${stream} --from-start --json --no-follow | head -1`;
    const shell = spawn('bash', ['-c', command], {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    shell.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));

    // Assess: head's one line, and tail's exit status (pipefail) 0 with nothing on stderr.
    expect({ code, stderr: stderr.replace(/npm warn.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string).envelope.event_id).toMatch(/^pipe-\d+$/);
  }, 60_000);

  it('prints colourless one-line summaries when stdout is not a terminal', async () => {
    const stream = await newStream(1);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'p1', userId: 'bob', type: 'page', name: 'Pricing' }),
    ]);

    const run = runTail(
      ['--endpoint', kinesis.endpoint, '--stream', stream, '--from-start', '--no-follow'],
      tail,
    );

    expect(await run.exited).toBe(0);
    const out = run.stdout();
    expect(out).not.toContain('\u001b[');
    expect(out.trim()).toMatch(/^\S+Z {2}page {6}"Pricing" {2}bob {2}pk=bob {2}shardId-000000000000$/);
  }, 60_000);

  it('fails with exit status 2 and one line naming the stream when the stream does not exist', async () => {
    const run = runTail(
      ['--endpoint', kinesis.endpoint, '--stream', 'no-such-stream', '--from-start', '--no-follow'],
      tail,
    );

    expect(await run.exited).toBe(2);
    expect(run.stdout()).toBe('');
    expect(run.stderr().trim().split('\n')).toEqual([
      `tail: stream "no-such-stream" not found at ${kinesis.endpoint}: check --stream, and --endpoint or --region`,
    ]);
  }, 60_000);

  it('fails with exit status 2 and one line when an argument is wrong', async () => {
    const run = runTail(['--stream', 'events', '--from-start', '--since', '10m'], tail);

    expect(await run.exited).toBe(2);
    expect(run.stderr().trim().split('\n')).toEqual([
      'tail: --from-start and --since both say where to start: give one of them',
    ]);
  }, 60_000);
});
