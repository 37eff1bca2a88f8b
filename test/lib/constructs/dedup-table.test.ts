import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { writeDocument } from '../../support/config-document';
import { decide } from '../support/decide-request';
import { type IamPolicy, policiesOfRole, resolveIntrinsics } from '../support/resolve-intrinsics';
import { COLLECTOR_FUNCTION_PATTERN, onlyLogicalId } from '../support/template-assertions';
import { buildTestApp, templateOf } from '../support/test-app';

const REGION = 'eu-west-1';
const ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/collector`;
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/dedup-marks`;

describe('cdk synth -c collectorConfig=<a document with a dedup source>', () => {
  // Prepare: one synth for the file; a document whose second source deduplicates.
  const dir = mkdtempSync(join(tmpdir(), 'dedup-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const template = templateOf(
    buildTestApp({
      externalIds: 'dedup-external-id',
      collectorConfig: writeDocument(dir, {
        sources: [
          { id: 'web', destinations: ['kinesis'] },
          { id: 'server', destinations: ['kinesis'], dedup: { windowHours: 48 } },
        ],
        destinations: [{ id: 'kinesis', streamName: 'events', region: REGION }],
      }),
    }).collectorStack,
  );
  const tableId = onlyLogicalId(template, 'AWS::DynamoDB::Table');
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
    id.startsWith('CollectorRole'),
  ) as string;

  it('creates one on-demand, encrypted table keyed by id, with its TTL on expiresAt, deleted with the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('hands the table to the function as DEDUP_TABLE_NAME and names it in an output', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEDUP_TABLE_NAME: { Ref: tableId } }) },
    });
    expect(onlyLogicalId(template, 'AWS::Lambda::Function', COLLECTOR_FUNCTION_PATTERN)).toBeDefined();
    template.hasOutput('DedupTableName', { Value: { Ref: tableId } });
  });

  it('alarms when events keep being written without the table (DedupFailOpen in three periods running)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DedupFailOpen',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('#alarm-dedup-fail-open$'),
    });
  });

  describe('IAM simulation of the function role on the table', () => {
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
      // Every other resource gets a stand-in ARN of its own (its logical id), the table its own.
      refs: { ...standIns(''), [tableId]: 'dedup-marks' },
      attributes: { ...standIns('.Arn'), [`${tableId}.Arn`]: TABLE_ARN },
    };
    // Every statement but sts:AssumeRole on the stream stack's writer role (an import of that stack).
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

    it.each(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])(
      'allows %s on the table',
      async (action) => {
        expect(await may(action)).toBe('Allowed');
      },
    );

    it.each([
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:Query',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:DeleteTable',
    ])('denies %s on the table', async (action) => {
      expect(await may(action)).not.toBe('Allowed');
    });

    it('denies reading another table of the account', async () => {
      expect(await may('dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`)).not.toBe(
        'Allowed',
      );
    });
  });
});
