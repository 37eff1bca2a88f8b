import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createCollector } from '../../../lambda/collector';
import { SsmParameterReader } from '../../../lambda/config/ssm-parameter-reader';
import { startTestSsm, type TestSsm } from '../../support/ssm-server';

describe('SsmParameterReader', () => {
  let ssm: TestSsm;
  let clientsBuilt: number;
  let now: number;

  beforeEach(async () => {
    ssm = await startTestSsm();
    clientsBuilt = 0;
    now = 1_000_000;
  });
  afterEach(() => ssm.stop());

  const reader = () =>
    new SsmParameterReader({
      clock: () => now,
      client: () => {
        clientsBuilt += 1;
        return new SSMClient({
          endpoint: ssm.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          requestHandler: new NodeHttpHandler(),
        });
      },
    });

  it('builds no client until the first read, then reads the value decrypted with a real SDK client', async () => {
    // Prepare
    ssm.put('/collector/config', '{"sources":[]}', 'SecureString');
    const parameters = reader();
    expect(clientsBuilt).toBe(0);

    // Act
    const value = await parameters.get('/collector/config', 60);

    // Assess
    expect(value).toBe('{"sources":[]}');
    expect(clientsBuilt).toBe(1);
    expect(ssm.reads).toEqual([{ name: '/collector/config', withDecryption: true }]);
  });

  it('reuses a value until it is older than its max age, then reads it again with the same client', async () => {
    // Prepare
    ssm.put('/c', 'first');
    const parameters = reader();
    await parameters.get('/c', 60);
    ssm.put('/c', 'second');

    // Act
    now += 59_000;
    const cached = await parameters.get('/c', 60);
    now += 2_000;
    const fresh = await parameters.get('/c', 60);

    // Assess
    expect([cached, fresh]).toEqual(['first', 'second']);
    expect(ssm.reads).toHaveLength(2);
    expect(clientsBuilt).toBe(1);
  });

  it('rejects with the service error for a parameter that does not exist, and caches nothing', async () => {
    // Prepare
    const parameters = reader();

    // Act
    const read = parameters.get('/missing', 60);

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'ParameterNotFound' });
    ssm.put('/missing', 'now here');
    await expect(parameters.get('/missing', 60)).resolves.toBe('now here');
  });
});

describe('a collector configured in SSM (COLLECTOR_CONFIG_PARAMETER)', () => {
  const saved = { ...process.env };
  let ssm: TestSsm;

  beforeEach(async () => {
    ssm = await startTestSsm();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  afterEach(async () => {
    process.env = { ...saved };
    await ssm.stop();
  });

  it('serves its first request with the document read through the SSM client it builds on that request', async () => {
    // Prepare
    ssm.put(
      '/collector/config',
      JSON.stringify({
        sources: [{ id: 'web', writeKeys: ['k-1'], destinations: ['kinesis'] }],
        destinations: [{ id: 'kinesis', streamName: 'events', region: 'us-east-1' }],
        cors: { allowedOrigins: ['https://shop.example'] },
      }),
      'SecureString',
    );
    const handler = createCollector({
      env: { COLLECTOR_CONFIG_PARAMETER: '/collector/config' },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    });
    expect(ssm.reads).toHaveLength(0);

    // Act
    const answer = await handler(preflight('https://shop.example'), {
      getRemainingTimeInMillis: () => 10_000,
      awsRequestId: 'r-1',
    } as unknown as Context);

    // Assess
    expect(ssm.reads).toEqual([{ name: '/collector/config', withDecryption: true }]);
    expect(answer).toMatchObject({
      statusCode: 204,
      headers: expect.objectContaining({ 'Access-Control-Allow-Origin': 'https://shop.example' }),
    });
  });
});

function preflight(origin: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/batch',
    rawQueryString: '',
    headers: { origin, 'access-control-request-method': 'POST' },
    requestContext: {
      http: { method: 'OPTIONS', path: '/v1/batch', sourceIp: '127.0.0.1' },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
  };
}
