import type { ApiGatewayServer } from '../../local/api-gateway-server';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { type CapturedOutput, captureOutput } from '../support/assume-role-collector';
import { sendBatch, trackBatch } from '../support/collector-requests';
import { type DeployedEnvironment, startDeployedEnvironment } from '../support/deployed-environment';
import { refusePutRecords } from '../support/h2c-proxy';

const EXTERNAL_ID = 'ext-deployed-entry-7731';
const WRITE_KEY = 'deployed-write-key';

/**
 * `lambda/index.ts` exactly as deployed: its `handler` is built at import from `process.env`, which
 * holds the environment the synthesized template gives the function. Every AWS call it makes goes to a
 * local stand-in through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables: write keys from the
 * Secrets Manager secret, AssumeRole with the external ID (local STS, the synthesized trust policy),
 * PutRecords over HTTP/2 (kinesalite behind an h2c front), spill to the SQS queue of `SPILL_QUEUE_URL`.
 */
describe('the deployed entry (lambda/index.ts) with the environment of the synthesized template', () => {
  let deployed: DeployedEnvironment;
  let collector: ApiGatewayServer;
  let output: CapturedOutput;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    deployed = await startDeployedEnvironment({ externalId: EXTERNAL_ID });
    deployed.putWriteKeys([WRITE_KEY]);
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, deployed.env);
    output = captureOutput();
    const { handler } = await import('../../lambda/index');
    collector = await startApiGatewayServer({
      handler: handler,
      port: 0,
      timeoutMs: deployed.fn.timeoutSeconds * 1000,
    });
  }, 120_000);

  // jest's restoreMocks ends the capture of beforeAll before the first test: each test captures its own.
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  afterAll(async () => {
    output?.restore();
    await collector?.close();
    await deployed?.stop();
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  it('reads its write keys, destination and external ID from the synthesized environment', () => {
    // Assess: nothing here was written by hand; the template gave it.
    expect(deployed.env.WRITE_KEYS_SECRET_ARN).toBe(deployed.writeKeysSecretArn);
    expect(deployed.env.SPILL_QUEUE_URL).toBe(deployed.sqs.queueUrl(deployed.spillQueueName));
    expect(deployed.collectorConfig.destinations).toEqual([
      expect.objectContaining({
        streamName: deployed.streamName,
        roleArn: deployed.role.roleArn,
        externalId: EXTERNAL_ID,
      }),
    ]);
    expect(deployed.fn.handler).toBe('index.handler');
  });

  it('answers 200 to a write key from the secret and lands the events through one AssumeRole over HTTP/2', async () => {
    // Act: two requests from the same container.
    const first = await sendBatch(collector.url, WRITE_KEY, trackBatch('entry-a', 25));
    const second = await sendBatch(collector.url, WRITE_KEY, trackBatch('entry-b', 5));

    // Assess
    expect([first.status, first.body.accepted]).toEqual([200, 25]);
    expect([second.status, second.body.accepted]).toEqual([200, 5]);
    const ids = (await deployed.records()).map((record) => record.json.event_id).sort();
    expect(ids).toEqual(
      [...trackBatch('entry-a', 25), ...trackBatch('entry-b', 5)].map((e) => e.messageId).sort(),
    );
    expect(deployed.sts.calls().map((call) => [call.externalId, call.allowed])).toEqual([
      [EXTERNAL_ID, true],
    ]);
    expect(deployed.sts.calls()[0]?.callerAccessKeyId).toBe(deployed.env.AWS_ACCESS_KEY_ID);
    expect(deployed.kinesisFront.calls.get('Kinesis_20131202.PutRecords')).toBeGreaterThanOrEqual(2);
    expect(deployed.secretsManager.reads.get(deployed.writeKeysSecretArn)).toBe(1);
  });

  it('answers 401 to a write key the secret does not hold', async () => {
    // Act
    const answer = await sendBatch(collector.url, 'not-in-the-secret', trackBatch('entry-unknown', 1));

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('spills to the SQS queue of SPILL_QUEUE_URL and answers 200 when the stream refuses the write', async () => {
    // Prepare: the stream refuses every PutRecords call (the writer role lost its permission).
    deployed.kinesisFront.inject = refusePutRecords;
    try {
      // Act
      const answer = await sendBatch(collector.url, WRITE_KEY, trackBatch('entry-spill', 3));

      // Assess
      expect(answer.status).toBe(200);
      const spilled = deployed.sqs
        .bodies(deployed.spillQueueName)
        .map((body) => JSON.parse(body) as { eventId: string; errorCode: string });
      expect(spilled.map((message) => message.eventId).sort()).toEqual([
        'entry-spill-0',
        'entry-spill-1',
        'entry-spill-2',
      ]);
      expect(new Set(spilled.map((message) => message.errorCode))).toEqual(
        new Set(['AccessDeniedException']),
      );
      const metrics = output.lines().filter((line) => line._aws !== undefined && 'SpilledEvents' in line);
      expect(metrics.map((line) => line.SpilledEvents)).toEqual([3]);
    } finally {
      deployed.kinesisFront.inject = undefined;
    }
  });
});
