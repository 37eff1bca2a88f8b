import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CORS_ALLOWED_HEADERS } from '../../lambda/contract/cors-headers';
import { COLLECTOR_ROUTES } from '../../lib/constructs/ingest-api';
import { collectorTemplate as cachedCollectorTemplate } from '../support/synth-cache';
import { lambdaEnvironment, propertiesOf } from './support/template-assertions';
import { buildTestApp, templateOf } from './support/test-app';

const CROSS_ACCOUNT = {
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
  externalId: 'source-a-1f3e',
};

function collectorTemplate(context: Record<string, string> = {}): Template {
  return cachedCollectorTemplate({ ...CROSS_ACCOUNT, ...context });
}

describe('CollectorStack', () => {
  const template = collectorTemplate();

  it('runs the collector on Node.js 24, arm64, 256 MB, 10 s, without tracing by default', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^CollectorLogs') } },
    });
  });

  it('passes the destination and sources without secrets in COLLECTOR_CONFIG and the secret by ARN', () => {
    const environment = lambdaEnvironment(template);

    expect(JSON.parse(String(environment.COLLECTOR_CONFIG))).toEqual({
      sources: [{ id: 'default', destinations: ['kinesis'], partitionKey: 'user' }],
      destinations: [
        {
          id: 'kinesis',
          streamName: 'events',
          region: 'eu-west-1',
          roleArn: CROSS_ACCOUNT.writerRoleArn,
          externalId: CROSS_ACCOUNT.externalId,
        },
      ],
      cors: { allowedOrigins: ['*'], maxAgeSeconds: 7200 },
    });
    expect(environment.WRITE_KEYS_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^WriteKeysSecret/) });
    // Source maps ship in the asset but are not read at run time (lib/constructs/collector-function.ts).
    expect(environment.NODE_OPTIONS).toBeUndefined();
  });

  it('generates a write key for the default source as {"default": "<key>"}', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'default', PasswordLength: 40 },
    });
  });

  it('gives the Lambda role only AssumeRole on the writer role, GetSecretValue on its secret, SendMessage on its spill queue and its own logs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'Collector',
          PolicyDocument: {
            Statement: [
              {
                Sid: 'AssumeTheStreamWriterRole',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: CROSS_ACCOUNT.writerRoleArn,
              },
              {
                Sid: 'ReadWriteKeys',
                Effect: 'Allow',
                Action: 'secretsmanager:GetSecretValue',
                Resource: { Ref: Match.stringLikeRegexp('^WriteKeysSecret') },
              },
              {
                Sid: 'SpillUndeliveredEvents',
                Effect: 'Allow',
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpillQueue'), 'Arn'] },
              },
              {
                Sid: 'WriteOwnLogs',
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CollectorLogs'), 'Arn'] },
              },
            ],
          },
        },
      ],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('keeps function and access logs for 30 days by default', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });

  it('routes every Segment and RudderStack endpoint to the Lambda with payload format 2.0', () => {
    const routeKeys = propertiesOf(template, 'AWS::ApiGatewayV2::Route').map((route) => route.RouteKey);

    expect(routeKeys.sort()).toEqual(
      [
        ...['track', 'identify', 'page', 'screen', 'group', 'alias', 'batch', 'import'].map(
          (n) => `POST /v1/${n}`,
        ),
        ...['t', 'i', 'p', 's', 'g', 'a', 'b', 'm'].map((n) => `POST /v1/${n}`),
        'POST /beacon/v1/batch',
        'GET /v1/projects/{writeKey}/settings',
        'GET /sourceConfig',
        ...['/v1/pixel/{type}', '/pixel/v1/track', '/pixel/v1/page'].flatMap((path) => [
          `GET ${path}`,
          `HEAD ${path}`,
        ]),
        'GET /v1/r',
      ].sort(),
    );
    expect(routeKeys).toHaveLength(COLLECTOR_ROUTES.length);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('answers CORS preflights with the SDK headers, Retry-After and X-RateLimit-Reset exposed, and the configured origins', () => {
    const restricted = collectorTemplate({
      allowedOrigins: 'https://www.example.com,https://app.example.com',
      corsMaxAgeSeconds: '600',
    });

    restricted.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['https://www.example.com', 'https://app.example.com'],
        AllowMethods: Match.arrayWith(['POST', 'OPTIONS']),
        AllowHeaders: CORS_ALLOWED_HEADERS,
        ExposeHeaders: ['Retry-After', 'X-RateLimit-Reset'],
        MaxAge: 600,
      },
    });
  });

  it('throttles the default stage and writes its access logs to a log group', () => {
    const custom = collectorTemplate({
      throttlingRateLimit: '50',
      throttlingBurstLimit: '100',
      logRetentionDays: '7',
    });

    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
    custom.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 2);
  });

  it('logs at INFO by default and at the level the logLevel context key names', () => {
    expect(lambdaEnvironment(template).POWERTOOLS_LOG_LEVEL).toBe('INFO');
    expect(lambdaEnvironment(collectorTemplate({ logLevel: 'DEBUG' })).POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    expect(() => collectorTemplate({ logLevel: 'LOUD' })).toThrow(/logLevel/);
  });

  it('turns on X-Ray tracing, memory and timeout from context', () => {
    const custom = collectorTemplate({ tracing: 'true', lambdaMemoryMb: '512', lambdaTimeoutSeconds: '15' });

    custom.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 15,
    });
  });

  it('creates an encrypted, TLS-only spill queue with 14-day retention and its own dead-letter queue', () => {
    const queues = propertiesOf(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      expect(queue).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
        MaximumMessageSize: 1_048_576,
      });
      expect(queue.QueueName).toBeUndefined();
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpillDeadLetters'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
      2,
    );
  });

  it('passes the spill queue URL to the function and outputs it', () => {
    expect(lambdaEnvironment(template).SPILL_QUEUE_URL).toEqual({
      Ref: expect.stringMatching(/^SpillQueue/),
    });
    template.hasOutput('SpillQueueUrl', { Value: { Ref: Match.stringLikeRegexp('^SpillQueue') } });
    template.hasOutput('SpillDeadLetterQueueUrl', {
      Value: { Ref: Match.stringLikeRegexp('^SpillDeadLetters') },
    });
  });

  it('outputs the collector URL', () => {
    template.hasOutput('CollectorUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestApi'), 'ApiEndpoint'] },
    });
  });
});

describe('the same-account deployment', () => {
  it('points the collector at the stream stack writer role and stream, with the first external ID', () => {
    const deployment = buildTestApp({ externalIds: 'first-id,second-id' });
    const environment = lambdaEnvironment(templateOf(deployment.collectorStack));
    const config = JSON.stringify(environment.COLLECTOR_CONFIG);

    expect(config).toContain('first-id');
    expect(config).not.toContain('second-id');
    expect(config).toMatch(/Fn::GetStackOutput.*KinesisEventForwarder-Stream/);
    expect(deployment.collectorStack?.dependencies).toContain(deployment.streamStack);
  });
});
