import { ensureStream } from '../../local/streams';
import { bundledEntry } from '../support/bundled-entry';
import { basicAuth, startPlanCollector } from '../support/plan-collector';
import { useTestKinesis } from '../support/test-collector';
import { jsonLines, type RunHow, runTail, tailInThisProcess } from './tail-support';

const KEY = 'tail-failed-key';

describe('npm run tail -- --failed against kinesalite', () => {
  const kinesis = useTestKinesis();
  /** tail as one Node process from its bundle, as test/tools/tail.test.ts runs it (the npm script is tested there). */
  let tail: RunHow;
  beforeAll(async () => {
    tail = { bundle: await bundledEntry('bin/tail.ts') };
  });

  it('prints an event the collector refused as one line with its reason, and --json prints its failure record whole', async () => {
    // Prepare: a collector with a failed-events stream and a plan that wants order_id.
    const streamName = `tail-failed-${process.pid}`;
    await ensureStream(kinesis.client, streamName, 1);
    await ensureStream(kinesis.client, `${streamName}-failed`, 2);
    const collector = await startPlanCollector({
      endpoint: kinesis.endpoint,
      sourceId: 'dev',
      writeKey: KEY,
      streamName,
      failedStreamName: `${streamName}-failed`,
      required: ['order_id'],
    });
    const batch = [
      {
        type: 'track',
        messageId: 'ok',
        userId: 'u1',
        event: 'Order Completed',
        properties: { order_id: 'a' },
      },
      { type: 'track', messageId: 'bad', userId: 'u1', event: 'Order Completed', properties: {} },
    ];
    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(KEY) },
      body: JSON.stringify({ batch }),
    });
    await collector.close();
    const answer = (await response.json()) as { accepted: number; rejected: { reason: string }[] };
    expect(answer.accepted).toBe(1);
    const reason = answer.rejected[0]?.reason as string;
    expect(reason).toContain('order_id');

    // Act
    const common = [
      '--endpoint',
      kinesis.endpoint,
      '--failed',
      '--stream',
      streamName,
      '--from-start',
      '--no-follow',
    ];
    // tail's own code in this process: what it prints is the subject (the process: the next test).
    const [lines, json] = await Promise.all([
      tailInThisProcess(common),
      tailInThisProcess([...common, '--json']),
    ]);

    // Assess
    expect(lines.stderr).toBe('');
    const printed = lines.stdout.split('\n').filter((line) => line !== '');
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}/);
    expect(printed[0]?.replace(/^\S+/, 'TIME')).toBe(
      `TIME  dev  tracking_plan  ${reason}  track "Order Completed" user=u1  /v1/batch#1`,
    );
    expect(json.stderr).toBe('');
    const [record] = jsonLines(json.stdout);
    expect(jsonLines(json.stdout)).toHaveLength(1);
    expect(record?.envelope).toMatchObject({
      failure: { reason, code: 'plan_violation', stage: 'tracking_plan' },
      event_id: 'bad',
      source_id: 'dev',
      payload: { messageId: 'bad', properties: {} },
    });
  }, 60_000);

  it('says where a deployed stack’s failed-events stream is named when --failed finds no stream', async () => {
    const run = runTail(
      ['--endpoint', kinesis.endpoint, '--failed', '--stream', 'nowhere', '--no-follow'],
      tail,
    );
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(
      'tail: failed-events stream "nowhere-failed" not found at http://127.0.0.1:',
    );
    expect(run.stderr()).toContain('give its FailedStreamName output as --stream NAME');
  }, 60_000);
});
