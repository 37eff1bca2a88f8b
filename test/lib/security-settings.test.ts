import { Match, type Template } from 'aws-cdk-lib/assertions';
import { OriginAllowlist } from '../../lambda/http/cors';
import { CONCURRENCY_WARNING_ID } from '../../lib/collector-stack';
import { InvalidDeployConfigError } from '../../lib/config';
import { accessLogFormat } from '../../lib/constructs/ingest-api';
import { collectorTemplate, streamTemplate } from '../support/synth-cache';
import { propertiesOf, resourcesOf, statementWithSid } from './support/template-assertions';
import { buildTestApp, synthWarnings } from './support/test-app';

const collectorOf = (context: Record<string, string>) =>
  collectorTemplate({ externalIds: 'ext-one', ...context });

describe('flood protection', () => {
  it('sets the function reserved concurrency from -c reservedConcurrency', () => {
    collectorOf({ reservedConcurrency: '50' }).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
    });
  });

  it('reserves no concurrency by default, so accounts with a quota of 10 can deploy', () => {
    collectorOf({}).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('rejects a reserved concurrency that is not a positive whole number, naming the key', () => {
    expect(() => buildTestApp({ externalIds: 'ext-one', reservedConcurrency: '0' })).toThrow(
      /reservedConcurrency: "0" is not valid/,
    );
  });

  it('prints no concurrency warning by default: without a reservation the account quota is unknown at synth', () => {
    const { collectorStack } = buildTestApp(
      { externalIds: 'ext-one' },
      { acknowledgeConcurrencyWarning: false },
    );

    const { annotations, printed } = synthWarnings(collectorStack);

    annotations.hasNoWarning('*', Match.anyValue());
    expect(printed).toBe('');
  });

  it('warns at synth, as cdk synth prints it, when the rate limit for a whole delivery budget exceeds the reserved concurrency, and says how to acknowledge it', () => {
    const { collectorStack } = buildTestApp(
      {
        externalIds: 'ext-one',
        reservedConcurrency: '50',
        throttlingRateLimit: '100',
        throttlingBurstLimit: '200',
      },
      { acknowledgeConcurrencyWarning: false },
    );

    const { annotations, printed } = synthWarnings(collectorStack);

    annotations.hasWarning(
      '*',
      Match.stringLikeRegexp(
        'throttlingRateLimit 100 requests/s .* needs up to 600 concurrent executions, more than reservedConcurrency 50.*Lower throttlingRateLimit to 8 or raise reservedConcurrency to 600.*acknowledge this warning with -c acknowledgeWarnings=concurrency',
      ),
    );
    expect(printed).toContain(`Acknowledge with 'Annotation::${CONCURRENCY_WARNING_ID}'`);
  });

  it('does not warn when the reserved concurrency covers the rate limit for a whole delivery budget', () => {
    const { collectorStack } = buildTestApp(
      {
        externalIds: 'ext-one',
        reservedConcurrency: '600',
        throttlingRateLimit: '100',
        throttlingBurstLimit: '200',
      },
      { acknowledgeConcurrencyWarning: false },
    );

    const { annotations, printed } = synthWarnings(collectorStack);

    annotations.hasNoWarning('*', Match.stringLikeRegexp('throttlingRateLimit'));
    expect(printed).toBe('');
  });
});

describe('the spill queues', () => {
  it('are retained with the stack by default, and destroyed with it when retainSpillQueues=false', () => {
    const deletionPolicies = (template: Template) =>
      Object.values(resourcesOf(template, 'AWS::SQS::Queue')).map((queue) => queue.DeletionPolicy);

    expect(deletionPolicies(collectorOf({}))).toEqual(['Retain', 'Retain']);
    expect(deletionPolicies(collectorOf({ retainSpillQueues: 'false' }))).toEqual(['Delete', 'Delete']);
  });

  it('use a rotated customer-managed key, kept with the stack, that the collector role may use to spill', () => {
    const template = collectorOf({ spillEncryption: 'CUSTOMER_MANAGED' });

    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    expect(statementWithSid(template, 'EncryptSpilledEvents').Action).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it('deny message actions to every principal but the collector path and the redrive roles named', () => {
    const template = collectorOf({ redriveRoleArns: 'arn:aws:iam::111111111111:role/operations' });

    const policies = propertiesOf(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:PurgeQueue',
            'sqs:ReceiveMessage',
            'sqs:SendMessage',
          ],
          Condition: {
            ArnNotLike: {
              'aws:PrincipalArn': [
                {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/kinesis-event-forwarder/KinesisEventForwarder/*',
                    ],
                  ],
                },
                'arn:aws:iam::111111111111:role/operations',
              ],
            },
          },
        }),
      );
    }
  });
});

describe('the access log', () => {
  it('is one JSON object per request with the operating fields, no path, query string or client address', () => {
    const template = collectorOf({});

    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { Format: accessLogFormat(false) },
    });
    const line = accessLogFormat(false).replace(/\$context\.error\.messageString/, '"-"');
    expect(Object.keys(JSON.parse(line))).toEqual([
      'requestId',
      'requestTime',
      'routeKey',
      'status',
      'responseLength',
      'integrationLatency',
      'error',
    ]);
    expect(accessLogFormat(false)).not.toMatch(/sourceIp|path|requestUri|queryString|rawQuery/i);
  });

  it('adds sourceIp only when -c accessLogSourceIp=true asks for it', () => {
    collectorOf({ accessLogSourceIp: 'true' }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { Format: Match.stringLikeRegexp('"sourceIp":"\\$context.identity.sourceIp"') },
    });
  });
});

describe('the alarm topic', () => {
  const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('is encrypted with the key -c alarmTopicKeyArn names', () => {
    collectorOf({ alarmEmail: 'ops@example.com', alarmTopicKeyArn: KEY }).hasResourceProperties(
      'AWS::SNS::Topic',
      {
        KmsMasterKeyId: KEY,
      },
    );
  });

  it('refuses alarmTopicKeyArn without alarmEmail, naming the key', () => {
    expect(() => buildTestApp({ externalIds: 'ext-one', alarmTopicKeyArn: KEY })).toThrow(
      /alarmTopicKeyArn: only used/,
    );
  });
});

describe('CORS origins', () => {
  it('refuses at synth a wildcard pattern API Gateway does not match, saying why', () => {
    const error = (() => {
      try {
        buildTestApp({ externalIds: 'ext-one', allowedOrigins: 'https://*.example.com' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidDeployConfigError);
    expect((error as Error).message).toMatch(
      /allowedOrigins: "https:\/\/\*\.example\.com" is a pattern API Gateway does not match/,
    );
  });

  it('accepts https://* and lets the collector allow every https origin with it, as API Gateway does', () => {
    expect(() => buildTestApp({ externalIds: 'ext-one', allowedOrigins: 'https://*' })).not.toThrow();

    const allowlist = new OriginAllowlist(['https://*']);
    expect(allowlist.allows('https://www.example.com')).toBe(true);
    expect(allowlist.allows('https://shop.example.com:8443')).toBe(true);
    expect(allowlist.allows('http://www.example.com')).toBe(false);
  });
});

describe('the writer role of the data owner', () => {
  it('trusts exactly the collector role -c collectorRoleArn names', () => {
    const role = 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/KinesisEventForwarder/Collector-AbC';
    const template = streamTemplate({
      collectorAccountId: '111111111111',
      externalIds: 'ext-one',
      collectorRoleArn: role,
    });

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Condition: Match.objectLike({ ArnEquals: { 'aws:PrincipalArn': role } }) }),
        ],
      },
    });
  });

  it('refuses a collectorRoleArn outside collectorAccountId', () => {
    expect(() =>
      buildTestApp({
        collectorAccountId: '111111111111',
        externalIds: 'ext-one',
        collectorRoleArn: 'arn:aws:iam::999999999999:role/collector',
      }),
    ).toThrow(/collectorRoleArn: .* is not in collectorAccountId 111111111111/);
  });
});
