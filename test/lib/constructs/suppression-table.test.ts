import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CollectorFunction } from '../../../lib/constructs/collector-function';
import { writeDocument } from '../../support/config-document';
import { decide } from '../support/decide-request';
import { type IamPolicy, policiesOfRole, resolveIntrinsics } from '../support/resolve-intrinsics';
import { onlyLogicalId } from '../support/template-assertions';
import { buildTestApp, templateOf } from '../support/test-app';

const REGION = 'eu-west-1';
const ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/collector`;
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/suppressions`;
const KEY_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hash-key-AbCdEf`;

describe('cdk synth -c collectorConfig=<a document with a suppression source>', () => {
  // Prepare: one synth for the file; a document whose second source turns suppression on.
  const dir = mkdtempSync(join(tmpdir(), 'suppression-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const deployment = buildTestApp({
    externalIds: 'suppression-external-id',
    collectorConfig: writeDocument(dir, {
      sources: [
        { id: 'web', destinations: ['kinesis'] },
        { id: 'server', destinations: ['kinesis'], suppression: { enabled: true } },
      ],
      destinations: [{ id: 'kinesis', streamName: 'events', region: REGION }],
    }),
  });
  const template = templateOf(deployment.collectorStack);
  const tableId = onlyLogicalId(template, 'AWS::DynamoDB::Table');
  const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
  const keyId = secretIds.find((id) => id.startsWith('FieldHashKey')) as string;
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
    id.startsWith('CollectorRole'),
  ) as string;

  it('creates one on-demand, encrypted, retained table keyed by id, with point-in-time recovery, and the one retained hash key', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    // The hash key, under the logical id deployments with a keyed hash rule already have; no second key.
    expect(keyId).toMatch(/^FieldHashKeySecret[0-9A-F]{8}$/);
    expect(secretIds.filter((id) => !id.startsWith('WriteKeys'))).toEqual([keyId]);
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'key' }) },
    });
  });

  it('hands the table and the hash key to the function and names both in outputs for npm run suppress', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SUPPRESSION_TABLE_NAME: { Ref: tableId },
          FIELD_HASH_KEY_SECRET_ARN: { Ref: keyId },
        }),
      },
    });
    template.hasOutput('SuppressionTableName', { Value: { Ref: tableId } });
    template.hasOutput('HashKeySecretArn', { Value: { Ref: keyId } });
  });

  it('alarms when suppression lookups keep failing (fail-closed 503s) and graphs suppressed events on the dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuppressionUnavailable',
      Namespace: 'KinesisEventForwarder',
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      AlarmDescription: Match.stringLikeRegexp('docs/operations.md#alarm-suppression-unavailable$'),
    });
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('SuppressedEvents');
    expect(body).toContain('SuppressionUnavailable');
  });

  it('reports no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(deployment.app);

    expect(report.violations).toEqual([]);
  });

  describe('IAM simulation of the function role on the table and key', () => {
    const { identityPolicies } = policiesOfRole(template, roleId);
    const standIns = (suffix: string) =>
      Object.fromEntries(
        Object.keys(template.toJSON().Resources).map((id) => [
          `${id}${suffix}`,
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}`,
        ]),
      );
    const values = {
      partition: 'aws',
      region: REGION,
      accountId: ACCOUNT,
      refs: { ...standIns(''), [tableId]: 'suppressions', [keyId]: KEY_ARN },
      attributes: { ...standIns('.Arn'), [`${tableId}.Arn`]: TABLE_ARN },
    };
    const policies = identityPolicies.map(({ name, policy }) => ({
      name,
      policy: resolveIntrinsics(
        {
          ...policy,
          Statement: policy.Statement.filter(
            (statement) => !/Fn::(ImportValue|GetStackOutput)/.test(JSON.stringify(statement)),
          ),
        },
        values,
      ) as IamPolicy,
    }));
    const may = (action: string, resource = TABLE_ARN) =>
      decide({ principal: ROLE_ARN, action, resource, identityPolicies: policies });

    it.each(['dynamodb:GetItem', 'dynamodb:BatchGetItem'])('allows %s on the table', async (action) => {
      expect(await may(action)).toBe('Allowed');
    });

    it.each([
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteTable',
    ])('denies %s on the table (the operator’s tool writes it, not the function)', async (action) => {
      expect(await may(action)).not.toBe('Allowed');
    });

    it('allows reading the hash key and nothing more on it', async () => {
      expect(await may('secretsmanager:GetSecretValue', KEY_ARN)).toBe('Allowed');
      expect(await may('secretsmanager:PutSecretValue', KEY_ARN)).not.toBe('Allowed');
    });
  });
});

describe('CollectorFunction with a suppression table', () => {
  it('refuses one without the hash key its ids are hashed with, saying to give both', () => {
    const stack = new Stack();
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });

    expect(
      () =>
        new CollectorFunction(stack, 'Collector', {
          sources: [{ id: 'web', destinationIds: ['kinesis'] }],
          destinations: [
            {
              id: 'kinesis',
              streamName: 'events',
              region: REGION,
              roleArn: `arn:aws:iam::${ACCOUNT}:role/writer`,
              externalId: 'x',
            },
          ],
          writeKeysSecret: new secretsmanager.Secret(stack, 'WriteKeys'),
          suppressionTable: table,
        }),
    ).toThrow('CollectorFunction: suppressionTable needs fieldHashKeySecret');
  });
});
