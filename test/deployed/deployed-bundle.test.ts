import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import { type LambdaProcess, startLambdaProcess } from '../../tools/lambda-runtime/lambda-process';
import { type DeployedEnvironment, startDeployedEnvironment } from '../support/deployed-environment';

const EXTERNAL_ID = 'ext-deployed-bundle-4417';
const WRITE_KEY = 'bundle-write-key';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function batchOf(prefix: string, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    type: 'track',
    event: 'Order Completed',
    userId: `user-${index % 5}`,
    messageId: `${prefix}-${index}`,
  }));
}

async function sendBatch(url: string, key: string, batch: unknown[]) {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basic(key), 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The closest this project gets to a deploy without an account: `index.js` from the cloud assembly
 * (esbuild bundle, SDK included, source maps on) run by the npm `aws-lambda-ric` on Node 24 against a
 * local Runtime API, with the environment of the synthesized template and every AWS service it calls
 * at a local stand-in (`AWS_ENDPOINT_URL_<SERVICE>`). API Gateway is the local stand-in, invoking the
 * function through the Runtime API one event at a time, as Lambda does.
 */
describe('the bundled asset under the Lambda runtime interface client on Node 24', () => {
  let outdir: string;
  let deployed: DeployedEnvironment;
  let lambda: LambdaProcess;
  let collector: ApiGatewayServer;
  const ids: string[] = [];

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'deployed-bundle-'));
    deployed = await startDeployedEnvironment({ externalId: EXTERNAL_ID, bundleInto: outdir });
    const [source] = deployed.collectorConfig.sources;
    deployed.secretsManager.put(
      deployed.writeKeysSecretArn,
      JSON.stringify({ [source?.id ?? '']: WRITE_KEY }),
    );
    lambda = await startLambdaProcess({
      codeDir: deployed.assetDir as string,
      handler: deployed.fn.handler,
      environment: deployed.env,
      memorySizeMb: deployed.fn.memorySizeMb,
      initTimeoutMs: 60_000,
    });
    const timeoutMs = deployed.fn.timeoutSeconds * 1000;
    collector = await startApiGatewayServer({
      port: 0,
      timeoutMs,
      handler: async (event) => {
        const invocation = await lambda.invoke(event, { timeoutMs });
        if (invocation.outcome === 'error') return { statusCode: 502, body: invocation.body };
        return JSON.parse(invocation.body) as APIGatewayProxyResultV2;
      },
    });
  }, 240_000);

  afterAll(async () => {
    await collector?.close();
    await lambda?.stop();
    await deployed?.stop();
    if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
  });

  it('initialises the cloud-assembly bundle on Node 24 and asks for its first event', () => {
    // Assess
    const bundle = join(deployed.assetDir as string, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(100 * 1024);
    expect(lambda.initMs).toBeGreaterThan(0);
    expect(lambda.running).toBe(true);
  });

  it('answers its first invocation with the write key from the secret and lands the events through one AssumeRole', async () => {
    // Act
    const answer = await sendBatch(collector.url, WRITE_KEY, batchOf('bundle-first', 20));
    ids.push(...batchOf('bundle-first', 20).map((event) => event.messageId));

    // Assess
    expect([answer.status, answer.body.accepted]).toEqual([200, 20]);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
    expect(deployed.sts.calls().map((call) => [call.externalId, call.allowed])).toEqual([
      [EXTERNAL_ID, true],
    ]);
    expect(deployed.secretsManager.reads.get(deployed.writeKeysSecretArn)).toBe(1);
    expect(deployed.kinesisFront.calls.get('Kinesis_20131202.PutRecords')).toBeGreaterThanOrEqual(1);
  });

  it('answers warm invocations from the same container without another AssumeRole or secret read', async () => {
    // Act
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await sendBatch(collector.url, WRITE_KEY, batchOf(`bundle-warm-${i}`, 5)));
    for (let i = 0; i < 3; i++) ids.push(...batchOf(`bundle-warm-${i}`, 5).map((event) => event.messageId));
    const unknown = await sendBatch(collector.url, 'not-a-key', batchOf('bundle-unknown', 1));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(unknown.status).toBe(401);
    expect(deployed.sts.calls()).toHaveLength(1);
    expect(deployed.secretsManager.reads.get(deployed.writeKeysSecretArn)).toBe(1);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
  });

  it('answers a request after a freeze during which its Kinesis connection was dropped', async () => {
    // Act: frozen between invocations; meanwhile the stream endpoint closes the idle HTTP/2 session.
    const freeze = lambda.freeze(2_000);
    deployed.kinesisFront.dropConnections();
    await freeze;
    const answer = await sendBatch(collector.url, WRITE_KEY, batchOf('bundle-thawed', 10));
    ids.push(...batchOf('bundle-thawed', 10).map((event) => event.messageId));

    // Assess
    expect([answer.status, answer.body.accepted]).toEqual([200, 10]);
    expect((await deployed.records()).map((record) => record.json.event_id).sort()).toEqual([...ids].sort());
    expect(lambda.running).toBe(true);
    expect(lambda.logs()).not.toMatch(/"level":"ERROR"/);
  });
});
