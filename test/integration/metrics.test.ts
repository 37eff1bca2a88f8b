import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createCollector } from '../../lambda/collector';
import {
  type AssumeRoleCollector,
  type CapturedOutput,
  captureOutput,
  startAssumeRoleCollector,
} from '../support/assume-role-collector';

/** The value of metric `name` in each EMF line that has it (with the line's dimensions). */
function metricValues(
  lines: readonly Record<string, unknown>[],
  name: string,
): { value: unknown; line: Record<string, unknown> }[] {
  return lines
    .filter((line) => line._aws !== undefined && name in line)
    .map((line) => ({ value: line[name], line }));
}

describe('CloudWatch metrics of the deployed entry point (EMF)', () => {
  let collector: AssumeRoleCollector;
  let output: CapturedOutput;

  beforeAll(async () => {
    collector = await startAssumeRoleCollector({
      trustedExternalIds: ['metrics-external-id'],
      destinationIds: ['main'],
      externalIdOf: () => 'metrics-external-id',
      sources: [{ id: 'web', writeKey: 'metrics-key', destinations: ['main'] }],
    });
  });
  afterAll(() => collector.stop());
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('counts accepted and rejected events by reason, request size, PutRecords calls and latency, and AssumeRole calls', async () => {
    const body = JSON.stringify({
      batch: [
        { type: 'track', userId: 'u-1', event: 'A', messageId: 'm-1' },
        { type: 'track', userId: 'u-2', event: 'B', messageId: 'm-2' },
        { type: 'track', userId: 'u-3', messageId: 'no-event' },
        { type: 'identify', messageId: 'no-id' },
      ],
    });
    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('metrics-key:').toString('base64')}` },
      body,
    });
    expect(response.status).toBe(200);

    const lines = output.lines();
    expect(metricValues(lines, 'EventsAccepted').map((m) => m.value)).toEqual([2]);
    expect(metricValues(lines, 'RequestBytes').map((m) => m.value)).toEqual([Buffer.byteLength(body)]);
    expect(metricValues(lines, 'PutRecordsCalls').map((m) => m.value)).toEqual([1]);
    expect(metricValues(lines, 'PutRecordsRetries').map((m) => m.value)).toEqual([0]);
    expect(metricValues(lines, 'PutRecordsLatency')).toHaveLength(1);
    expect(metricValues(lines, 'AssumeRoleCalls').map((m) => m.value)).toEqual([1]);
    const rejected = metricValues(lines, 'EventsRejected').map((m) => [m.line.reason, m.value]);
    expect(rejected.sort()).toEqual([
      ['missing_field', 1],
      ['missing_id', 1],
    ]);
    for (const { line } of metricValues(lines, 'EventsAccepted')) {
      expect(line._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'KinesisEventForwarder' }] });
    }
  });
});

describe('a collector whose configuration cannot be read yet', () => {
  it('answers 503 with Retry-After, which every SDK retries, instead of failing the invocation', async () => {
    const handler = createCollector({
      env: { COLLECTOR_CONFIG_PARAMETER: '/collector/config' },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      configStores: {
        parameter: async () => {
          throw Object.assign(new Error('User is not authorized to perform ssm:GetParameter'), {
            name: 'AccessDeniedException',
          });
        },
        secret: async () => undefined,
      },
    });
    const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'r-1' } as unknown as Context;
    const event = {
      version: '2.0',
      rawPath: '/v1/track',
      headers: {},
      isBase64Encoded: false,
      body: '{}',
      requestContext: { http: { method: 'POST', path: '/v1/track', sourceIp: '127.0.0.1' } },
    } as never;

    const answer = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(503);
    expect(answer.headers).toMatchObject({ 'Retry-After': '5' });
  });
});
