import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { CLOUDWATCH_TOPIC_KEY_STATEMENT } from '../../lib/constructs/alarm-topic';
import { SUPPRESSION_TABLE_ACTIONS } from '../../lib/constructs/suppression-table';
import { writeDocument } from '../support/config-document';
import { type Decision, decide, type SimulatedRequest } from './support/decide-request';
import { DeployedTopology, type Side, type Topology } from './support/deployed-topology';
import { deployedValuesOf } from './support/deployed-values';
import { type IamPolicy, resolvedOutputs } from './support/resolve-intrinsics';
import { resourcePolicyHolders } from './support/resource-policy-holders';
import { logicalIdStartingWith } from './support/template-assertions';
import { buildTestApp, templateOf } from './support/test-app';

/**
 * The grant matrix: every call the deployed system makes between services, in both topologies and
 * with every option that adds a resource, decided from the synthesized templates by
 * `@cloud-copilot/iam-simulate` as AWS decides it: identity policies and the resource policy
 * (topic, queue, key, trust policy, Lambda permission) together, same-account and cross-account
 * rules applied. Each call must be allowed and each of its nearest neighbours (another principal,
 * another account, another source ARN, KMS called directly instead of through the service) denied.
 * A resource policy in a template that no call is decided by fails the last test of each topology.
 */

const REGION = 'eu-west-1';
const COLLECTOR_ACCOUNT = '111111111111';
const STREAM_ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
/** An operator role named in `redriveRoleArns`. */
const REDRIVE_ROLE = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/operations`;
/** Another principal of the collector's account: its own policies may allow anything. */
const DEVELOPER_ROLE = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/developer`;
const SESSION = { 'sts:RoleSessionName': 'kinesis-event-forwarder-kinesis' };
const alarmTopicKeyIn = (account: string) =>
  `arn:aws:kms:${REGION}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The options that add a resource (and a resource policy) to the stream stack. */
const STREAM_OPTIONS = {
  alarmEmail: 'ops@example.com',
  archive: 'true',
  streamEncryption: 'CUSTOMER_MANAGED',
  iteratorAgeAlarmSeconds: '600',
};
/** The options that add a resource (and a resource policy) to the collector stack. */
const COLLECTOR_OPTIONS = {
  alarmEmail: 'ops@example.com',
  spillEncryption: 'CUSTOMER_MANAGED',
  redriveRoleArns: REDRIVE_ROLE,
  failedRateAlarmPercent: '5',
  domainName: 'events.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
};

/** One request of the matrix; a denied neighbour says how it differs from the call. */
interface Request extends SimulatedRequest {
  readonly neighbour?: string;
}

/** Every request with its decision, labelled so a failure names the request. */
async function decisions(requests: readonly Request[]): Promise<{ request: string; decision: Decision }[]> {
  const decided: { request: string; decision: Decision }[] = [];
  for (const request of requests) {
    const source = request.context?.['aws:SourceArn'];
    const label = `${request.neighbour === undefined ? '' : `[${request.neighbour}] `}${request.principal} ${request.action} ${request.resource}${source === undefined ? '' : ` from ${source}`}`;
    decided.push({ request: label, decision: await decide(request) });
  }
  return decided;
}

/** An identity policy allowing `actions` on everything: only the resource policy can stop its holder. */
const broad = (...actions: string[]) => [
  {
    name: 'broad',
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
  },
];

/**
 * A configuration document whose source uses every privacy option that adds a resource: a keyed
 * `hash` rule (the hash key secret) and `suppression` (the suppression table, hashed with that key).
 */
const PRIVACY_DOCUMENT = {
  sources: [
    {
      id: 'web',
      destinations: ['kinesis'],
      pipeline: { redact: { hash: ['*.email'] } },
      suppression: { enabled: true },
    },
  ],
  destinations: [{ id: 'kinesis', streamName: 'events', region: REGION }],
};
const documentDir = mkdtempSync(join(tmpdir(), 'grant-matrix-'));
afterAll(() => rmSync(documentDir, { recursive: true, force: true }));

/**
 * The same-account topology: both stacks in one app and account, with every option that adds a
 * resource; with `document`, deployed with that configuration document (`-c collectorConfig`).
 */
function sameAccount(document?: unknown): Topology {
  const app = buildTestApp({
    ...STREAM_OPTIONS,
    ...COLLECTOR_OPTIONS,
    externalIds: 'same-account-id',
    alarmTopicKeyArn: alarmTopicKeyIn(COLLECTOR_ACCOUNT),
    ...(document === undefined ? {} : { collectorConfig: writeDocument(documentDir, document) }),
  });
  const streamTemplate = templateOf(app.streamStack);
  const stream = {
    template: streamTemplate,
    values: deployedValuesOf(streamTemplate, {
      region: REGION,
      accountId: COLLECTOR_ACCOUNT,
      names: streamNames(streamTemplate),
    }),
  };
  const collectorTemplate = templateOf(app.collectorStack);
  const collector = {
    template: collectorTemplate,
    values: deployedValuesOf(collectorTemplate, {
      region: REGION,
      accountId: COLLECTOR_ACCOUNT,
      outputs: resolvedOutputs(streamTemplate, stream.values),
    }),
  };
  return { stream, collector, collectorAccount: COLLECTOR_ACCOUNT, externalId: 'same-account-id' };
}

/**
 * The cross-account topology: the stream stack in the data owner's account for the collector's
 * account, and the collector stack alone in the collector's account, pointed at it by context.
 */
function crossAccount(): Topology {
  const streamApp = buildTestApp({
    ...STREAM_OPTIONS,
    collectorAccountId: COLLECTOR_ACCOUNT,
    externalIds: 'cross-account-id,other-source-id',
    alarmTopicKeyArn: alarmTopicKeyIn(STREAM_ACCOUNT),
  });
  const streamTemplate = templateOf(streamApp.streamStack);
  const collectorApp = buildTestApp({
    ...COLLECTOR_OPTIONS,
    writerRoleArn: `arn:aws:iam::${STREAM_ACCOUNT}:role/event-writer`,
    streamArn: `arn:aws:kinesis:${REGION}:${STREAM_ACCOUNT}:stream/events`,
    failedStreamName: 'events-failed',
    externalId: 'cross-account-id',
    alarmTopicKeyArn: alarmTopicKeyIn(COLLECTOR_ACCOUNT),
  });
  const collectorTemplate = templateOf(collectorApp.collectorStack);
  return {
    stream: {
      template: streamTemplate,
      values: deployedValuesOf(streamTemplate, {
        region: REGION,
        accountId: STREAM_ACCOUNT,
        names: streamNames(streamTemplate),
      }),
    },
    collector: {
      template: collectorTemplate,
      values: deployedValuesOf(collectorTemplate, { region: REGION, accountId: COLLECTOR_ACCOUNT }),
    },
    collectorAccount: COLLECTOR_ACCOUNT,
    externalId: 'cross-account-id',
  };
}

/** The names the collector's context points at: `event-writer`, `events`, `events-failed`. */
function streamNames(template: Template): Record<string, string> {
  return {
    [logicalIdStartingWith(template, 'AWS::IAM::Role', 'WriterRole')]: 'event-writer',
    [logicalIdStartingWith(template, 'AWS::Kinesis::Stream', 'EventsStream')]: 'events',
    [logicalIdStartingWith(template, 'AWS::Kinesis::Stream', 'FailedEventsStream')]: 'events-failed',
  };
}

/** A resource policy a call is decided by: the stack and the logical id of the resource holding it. */
interface PolicyRef {
  readonly side: Side;
  readonly logicalId: string;
}

/** One call the deployed system makes, the resource policies deciding it, and its neighbours. */
interface Call {
  /** The call, as a sentence. */
  readonly name: string;
  readonly resourcePolicies: (d: DeployedTopology) => PolicyRef[];
  /** The requests AWS receives for the call: each must be allowed. */
  readonly allowed: (d: DeployedTopology) => Request[];
  /** Its nearest neighbours: each must be denied. */
  readonly denied: (d: DeployedTopology) => Request[];
}

const viaService = (service: string) => ({ 'kms:ViaService': `${service}.${REGION}.amazonaws.com` });

const CALLS: readonly Call[] = [
  {
    name: 'API Gateway invokes the collector function through each route',
    resourcePolicies: (d) =>
      d.ids('collector', 'AWS::Lambda::Permission').map((logicalId) => ({ side: 'collector', logicalId })),
    allowed: (d) =>
      d.ids('collector', 'AWS::Lambda::Permission').map((id) => {
        const { functionArn, policy } = d.lambdaPermission('collector', id);
        return {
          principal: 'apigateway.amazonaws.com',
          action: 'lambda:InvokeFunction',
          resource: functionArn,
          resourcePolicy: policy,
          context: { 'aws:SourceArn': routeArn(policy) },
        };
      }),
    denied: (d) =>
      d.ids('collector', 'AWS::Lambda::Permission').flatMap((id) => {
        const { functionArn, policy } = d.lambdaPermission('collector', id);
        const [apiArn, route] = splitRouteArn(routeArn(policy));
        const call = {
          principal: 'apigateway.amazonaws.com',
          action: 'lambda:InvokeFunction',
          resource: functionArn,
          resourcePolicy: policy,
        };
        return [
          {
            ...call,
            neighbour: 'another API of the account',
            context: { 'aws:SourceArn': `${apiArn.replace(/:[^:]+$/, ':otherapi01')}/${route}` },
          },
          {
            ...call,
            neighbour: 'the same API id in another account',
            context: {
              'aws:SourceArn': `${apiArn.replace(`:${d.topology.collectorAccount}:`, `:${OTHER_ACCOUNT}:`)}/${route}`,
            },
          },
        ];
      }),
  },
  {
    name: 'Lambda assumes the collector role',
    resourcePolicies: (d) => [{ side: 'collector', logicalId: d.collectorRole().id }],
    allowed: (d) => [
      {
        principal: 'lambda.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: d.collectorRole().arn,
        resourcePolicy: d.collectorRole().trustPolicy,
      },
    ],
    denied: (d) => [
      {
        principal: 'ec2.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: d.collectorRole().arn,
        resourcePolicy: d.collectorRole().trustPolicy,
        neighbour: 'another service',
      },
      {
        principal: DEVELOPER_ROLE,
        action: 'sts:AssumeRole',
        resource: d.collectorRole().arn,
        identityPolicies: broad('sts:AssumeRole'),
        resourcePolicy: d.collectorRole().trustPolicy,
        neighbour: 'another principal of the account',
      },
    ],
  },
  {
    name: 'the collector function reads its write keys',
    resourcePolicies: () => [],
    allowed: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'secretsmanager:GetSecretValue',
        resource: d.ref('collector', d.id('collector', 'AWS::SecretsManager::Secret', 'WriteKeys')),
        identityPolicies: d.collectorRole().identityPolicies,
      },
    ],
    denied: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:${REGION}:${d.topology.collectorAccount}:secret:database-XyZ123`,
        identityPolicies: d.collectorRole().identityPolicies,
        neighbour: 'another secret',
      },
    ],
  },
  {
    name: 'Lambda assumes the write-keys provisioner role (the Custom::WriteKeys function, at deploy time)',
    resourcePolicies: (d) => [{ side: 'collector', logicalId: provisionerRole(d).id }],
    allowed: (d) => [
      {
        principal: 'lambda.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: provisionerRole(d).arn,
        resourcePolicy: provisionerRole(d).trustPolicy,
      },
    ],
    denied: (d) => [
      {
        principal: 'ec2.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: provisionerRole(d).arn,
        resourcePolicy: provisionerRole(d).trustPolicy,
        neighbour: 'another service',
      },
      {
        principal: DEVELOPER_ROLE,
        action: 'sts:AssumeRole',
        resource: provisionerRole(d).arn,
        identityPolicies: broad('sts:AssumeRole'),
        resourcePolicy: provisionerRole(d).trustPolicy,
        neighbour: 'another principal of the account',
      },
    ],
  },
  {
    name: 'the write-keys provisioner reads the write-keys secret and adds missing keys to it',
    resourcePolicies: () => [],
    allowed: (d) =>
      ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'].map((action) => ({
        principal: provisionerRole(d).arn,
        action,
        resource: d.ref('collector', d.id('collector', 'AWS::SecretsManager::Secret', 'WriteKeys')),
        identityPolicies: provisionerRole(d).identityPolicies,
      })),
    denied: (d) => [
      {
        principal: provisionerRole(d).arn,
        action: 'secretsmanager:PutSecretValue',
        resource: `arn:aws:secretsmanager:${REGION}:${d.topology.collectorAccount}:secret:database-XyZ123`,
        identityPolicies: provisionerRole(d).identityPolicies,
        neighbour: 'another secret',
      },
      {
        principal: provisionerRole(d).arn,
        action: 'secretsmanager:DeleteSecret',
        resource: d.ref('collector', d.id('collector', 'AWS::SecretsManager::Secret', 'WriteKeys')),
        identityPolicies: provisionerRole(d).identityPolicies,
        neighbour: 'deleting the secret',
      },
    ],
  },
  {
    name: 'the collector role assumes the writer role with its external ID',
    resourcePolicies: (d) => [{ side: 'stream', logicalId: d.writerRole().id }],
    allowed: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'sts:AssumeRole',
        resource: d.writerRole().arn,
        identityPolicies: d.collectorRole().identityPolicies,
        resourcePolicy: d.writerRole().trustPolicy,
        context: { 'sts:ExternalId': d.topology.externalId, ...SESSION },
      },
    ],
    denied: (d) => {
      const assume = (principal: string, neighbour: string, context: Record<string, string> = {}) => ({
        principal,
        action: 'sts:AssumeRole',
        resource: d.writerRole().arn,
        identityPolicies: broad('sts:AssumeRole'),
        resourcePolicy: d.writerRole().trustPolicy,
        context: { 'sts:ExternalId': d.topology.externalId, ...SESSION, ...context },
        neighbour,
      });
      const collectorPath = d.collectorRole().arn.split(':role/')[1];
      return [
        assume(DEVELOPER_ROLE, 'another principal of the collector account'),
        assume(
          `arn:aws:iam::${OTHER_ACCOUNT}:role/${collectorPath}`,
          'the same role path in another account',
        ),
        assume(d.collectorRole().arn, 'a wrong external ID', { 'sts:ExternalId': 'guessed-id' }),
      ];
    },
  },
  {
    name: 'the writer role puts records into the event stream and the failed-events stream',
    resourcePolicies: () => [],
    allowed: (d) =>
      ['EventsStream', 'FailedEventsStream'].flatMap((prefix) =>
        ['kinesis:PutRecord', 'kinesis:PutRecords'].map((action) => ({
          principal: d.writerRole().arn,
          action,
          resource: d.arn('stream', d.id('stream', 'AWS::Kinesis::Stream', prefix)),
          identityPolicies: d.writerRole().identityPolicies,
        })),
      ),
    denied: (d) => [
      {
        principal: d.writerRole().arn,
        action: 'kinesis:PutRecords',
        resource: d
          .arn('stream', d.id('stream', 'AWS::Kinesis::Stream', 'EventsStream'))
          .replace(/stream\/.*$/, 'stream/other-events'),
        identityPolicies: d.writerRole().identityPolicies,
        neighbour: 'another stream',
      },
    ],
  },
  {
    name: 'Kinesis generates data keys with the stream key for the writer role',
    resourcePolicies: (d) => [{ side: 'stream', logicalId: d.streamKey().id }],
    allowed: (d) => [
      {
        principal: d.writerRole().arn,
        action: 'kms:GenerateDataKey',
        resource: d.streamKey().arn,
        identityPolicies: d.writerRole().identityPolicies,
        resourcePolicy: d.keyPolicy('stream', d.streamKey().id),
        context: viaService('kinesis'),
      },
    ],
    denied: (d) => {
      const generate = { action: 'kms:GenerateDataKey', resource: d.streamKey().arn };
      const keyPolicy = d.keyPolicy('stream', d.streamKey().id);
      return [
        {
          ...generate,
          principal: d.writerRole().arn,
          identityPolicies: d.writerRole().identityPolicies,
          resourcePolicy: keyPolicy,
          neighbour: 'KMS called directly',
        },
        {
          ...generate,
          principal: d.writerRole().arn,
          identityPolicies: d.writerRole().identityPolicies,
          resourcePolicy: keyPolicy,
          context: viaService('sqs'),
          neighbour: 'through another service',
        },
        {
          ...generate,
          principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/event-writer`,
          identityPolicies: broad('kms:GenerateDataKey'),
          resourcePolicy: keyPolicy,
          context: viaService('kinesis'),
          neighbour: 'a role of another account',
        },
      ];
    },
  },
  {
    name: 'Firehose assumes the archive delivery role, with the account as external ID',
    resourcePolicies: (d) => [{ side: 'stream', logicalId: d.archive().role.id }],
    allowed: (d) => [
      {
        principal: 'firehose.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: d.archive().role.arn,
        resourcePolicy: d.archive().role.trustPolicy,
        context: { 'sts:ExternalId': d.side('stream').values.accountId },
      },
    ],
    denied: (d) => {
      const assume = { action: 'sts:AssumeRole', resource: d.archive().role.arn };
      const trustPolicy = d.archive().role.trustPolicy;
      return [
        {
          ...assume,
          principal: 'lambda.amazonaws.com',
          resourcePolicy: trustPolicy,
          context: { 'sts:ExternalId': d.side('stream').values.accountId },
          neighbour: 'another service',
        },
        {
          ...assume,
          principal: 'firehose.amazonaws.com',
          resourcePolicy: trustPolicy,
          context: { 'sts:ExternalId': OTHER_ACCOUNT },
          neighbour: "another account's delivery stream",
        },
        {
          ...assume,
          principal: DEVELOPER_ROLE,
          identityPolicies: broad('sts:AssumeRole'),
          resourcePolicy: trustPolicy,
          neighbour: 'a principal of the collector account',
        },
      ];
    },
  },
  {
    name: 'the archive delivery role reads the event stream and the failed-events stream',
    resourcePolicies: () => [],
    allowed: (d) =>
      ['EventsStream', 'FailedEventsStream'].flatMap((prefix) =>
        [
          'kinesis:DescribeStream',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ].map((action) => ({
          principal: d.archive().role.arn,
          action,
          resource: d.arn('stream', d.id('stream', 'AWS::Kinesis::Stream', prefix)),
          identityPolicies: d.archive().role.identityPolicies,
        })),
      ),
    denied: (d) => {
      const stream = d.arn('stream', d.id('stream', 'AWS::Kinesis::Stream', 'EventsStream'));
      const asRole = { principal: d.archive().role.arn, identityPolicies: d.archive().role.identityPolicies };
      return [
        {
          ...asRole,
          action: 'kinesis:GetRecords',
          resource: stream.replace(/stream\/.*$/, 'stream/other-events'),
          neighbour: 'another stream',
        },
        { ...asRole, action: 'kinesis:PutRecords', resource: stream, neighbour: 'writing the stream' },
        {
          ...asRole,
          action: 'kinesis:SubscribeToShard',
          resource: `${stream}/consumer/archive:1`,
          neighbour: 'an enhanced fan-out consumer',
        },
      ];
    },
  },
  {
    name: 'the archive delivery role writes objects under its own prefixes of the archive bucket, over TLS',
    resourcePolicies: (d) => [{ side: 'stream', logicalId: d.archive().bucketPolicyId }],
    allowed: (d) => {
      const { bucketArn, bucketPolicy, role } = d.archive();
      const hour = 'year=2026/month=12/day=06/hour=21';
      return [
        ...[
          `events/${hour}/events-1-2026-12-06-21-00-00-abc.gz`,
          `failed/${hour}/failed-1-2026-12-06-21-00-00-abc.gz`,
          `errors/events/processing-failed/${hour}/events-1-abc.gz`,
          `errors/failed/processing-failed/${hour}/failed-1-abc.gz`,
        ].flatMap((key) =>
          ['s3:PutObject', 's3:AbortMultipartUpload'].map((action) => ({
            principal: role.arn,
            action,
            resource: `${bucketArn}/${key}`,
            resourceAccount: d.side('stream').values.accountId,
            identityPolicies: role.identityPolicies,
            resourcePolicy: bucketPolicy,
          })),
        ),
        ...['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'].map((action) => ({
          principal: role.arn,
          action,
          resource: bucketArn,
          resourceAccount: d.side('stream').values.accountId,
          identityPolicies: role.identityPolicies,
          resourcePolicy: bucketPolicy,
        })),
      ];
    },
    denied: (d) => {
      const { bucketArn, bucketPolicy, role } = d.archive();
      const write = {
        principal: role.arn,
        identityPolicies: role.identityPolicies,
        resourcePolicy: bucketPolicy,
        resourceAccount: d.side('stream').values.accountId,
      };
      const key = `${bucketArn}/events/year=2026/month=12/day=06/hour=21/events-1.gz`;
      return [
        {
          ...write,
          action: 's3:PutObject',
          resource: `${bucketArn}/other/x.gz`,
          neighbour: 'another prefix',
        },
        { ...write, action: 's3:DeleteObject', resource: key, neighbour: 'deleting an archived object' },
        { ...write, action: 's3:DeleteObjectVersion', resource: key, neighbour: 'deleting a version' },
        {
          ...write,
          action: 's3:PutObject',
          resource: key,
          context: { 'aws:SecureTransport': 'false' },
          neighbour: 'plain HTTP',
        },
        {
          ...write,
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::someone-elses-bucket/events/x.gz',
          neighbour: 'another bucket',
        },
        {
          principal: DEVELOPER_ROLE,
          action: 's3:GetObject',
          resource: key,
          resourceAccount: d.side('stream').values.accountId,
          resourcePolicy: bucketPolicy,
          neighbour: 'a principal of another account, by the bucket policy alone',
        },
      ];
    },
  },
  {
    // Its S3 statement (kms:GenerateDataKey for the bucket's key context) is asserted on the template
    // in test/lib/event-archive.test.ts: the simulator ignores kms:EncryptionContext:<key> conditions.
    name: 'the archive delivery role decrypts the streams through Kinesis with the stream key',
    resourcePolicies: (d) => [{ side: 'stream', logicalId: d.streamKey().id }],
    allowed: (d) => [
      {
        principal: d.archive().role.arn,
        action: 'kms:Decrypt',
        resource: d.streamKey().arn,
        identityPolicies: d.archive().role.identityPolicies,
        resourcePolicy: d.keyPolicy('stream', d.streamKey().id),
        context: viaService('kinesis'),
      },
    ],
    denied: (d) => {
      const call = {
        principal: d.archive().role.arn,
        resource: d.streamKey().arn,
        identityPolicies: d.archive().role.identityPolicies,
        resourcePolicy: d.keyPolicy('stream', d.streamKey().id),
      };
      return [
        { ...call, action: 'kms:Decrypt', neighbour: 'KMS called directly' },
        { ...call, action: 'kms:Decrypt', context: viaService('sqs'), neighbour: 'through another service' },
        {
          ...call,
          action: 'kms:GenerateDataKey',
          context: viaService('kinesis'),
          neighbour: 'generating data keys for Kinesis (writing the stream)',
        },
      ];
    },
  },
  {
    name: 'the archive delivery role writes its delivery log group',
    resourcePolicies: () => [],
    allowed: (d) => [
      {
        principal: d.archive().role.arn,
        action: 'logs:PutLogEvents',
        resource: d.archive().logGroupArn.replace(/:\*$/, ':log-stream:DestinationDelivery-events'),
        identityPolicies: d.archive().role.identityPolicies,
      },
    ],
    denied: (d) => [
      {
        principal: d.archive().role.arn,
        action: 'logs:PutLogEvents',
        resource: `arn:aws:logs:${REGION}:${d.side('stream').values.accountId}:log-group:other:log-stream:x`,
        identityPolicies: d.archive().role.identityPolicies,
        neighbour: 'another log group',
      },
    ],
  },
  {
    name: 'the collector role sends spilled events to the spill queue',
    resourcePolicies: (d) => [{ side: 'collector', logicalId: d.spill().queuePolicyId }],
    allowed: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'sqs:SendMessage',
        resource: d.spill().queueArn,
        identityPolicies: d.collectorRole().identityPolicies,
        resourcePolicy: d.policyDocument('collector', d.spill().queuePolicyId),
      },
    ],
    denied: (d) => [
      {
        principal: DEVELOPER_ROLE,
        action: 'sqs:SendMessage',
        resource: d.spill().queueArn,
        identityPolicies: broad('sqs:*'),
        resourcePolicy: d.policyDocument('collector', d.spill().queuePolicyId),
        neighbour: 'another principal of the account',
      },
      {
        principal: d.collectorRole().arn,
        action: 'sqs:SendMessage',
        resource: d.spill().deadLettersArn,
        identityPolicies: d.collectorRole().identityPolicies,
        resourcePolicy: d.policyDocument('collector', d.spill().deadLettersPolicyId),
        neighbour: 'the dead-letter queue',
      },
    ],
  },
  {
    name: 'a redrive role receives and deletes spilled events in the spill queue and its dead-letter queue',
    resourcePolicies: (d) => [
      { side: 'collector', logicalId: d.spill().queuePolicyId },
      { side: 'collector', logicalId: d.spill().deadLettersPolicyId },
    ],
    allowed: (d) =>
      [
        [d.spill().queueArn, d.spill().queuePolicyId],
        [d.spill().deadLettersArn, d.spill().deadLettersPolicyId],
      ].flatMap(([queue, policyId]) =>
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage'].map((action) => ({
          principal: REDRIVE_ROLE,
          action,
          resource: queue as string,
          identityPolicies: broad('sqs:*'),
          resourcePolicy: d.policyDocument('collector', policyId as string),
        })),
      ),
    denied: (d) =>
      [
        [d.spill().queueArn, d.spill().queuePolicyId],
        [d.spill().deadLettersArn, d.spill().deadLettersPolicyId],
      ].flatMap(([queue, policyId]) => [
        {
          principal: DEVELOPER_ROLE,
          action: 'sqs:ReceiveMessage',
          resource: queue as string,
          identityPolicies: broad('sqs:*'),
          resourcePolicy: d.policyDocument('collector', policyId as string),
          neighbour: 'another principal of the account',
        },
        {
          principal: REDRIVE_ROLE,
          action: 'sqs:ReceiveMessage',
          resource: queue as string,
          identityPolicies: broad('sqs:*'),
          resourcePolicy: d.policyDocument('collector', policyId as string),
          context: { 'aws:SecureTransport': 'false' },
          neighbour: 'plain HTTP',
        },
      ]),
  },
  {
    name: 'SQS uses the spill key for the collector role and for a redrive role',
    resourcePolicies: (d) => [{ side: 'collector', logicalId: d.spill().keyId }],
    allowed: (d) => [
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        principal: d.collectorRole().arn,
        action,
        resource: d.spill().keyArn,
        identityPolicies: d.collectorRole().identityPolicies,
        resourcePolicy: d.keyPolicy('collector', d.spill().keyId),
        context: viaService('sqs'),
      })),
      {
        // The redrive role's own policy is the owner's: the key policy lets the account's IAM decide.
        principal: REDRIVE_ROLE,
        action: 'kms:Decrypt',
        resource: d.spill().keyArn,
        identityPolicies: broad('kms:Decrypt'),
        resourcePolicy: d.keyPolicy('collector', d.spill().keyId),
        context: viaService('sqs'),
      },
    ],
    denied: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'kms:Decrypt',
        resource: d.spill().keyArn,
        identityPolicies: d.collectorRole().identityPolicies,
        resourcePolicy: d.keyPolicy('collector', d.spill().keyId),
        neighbour: 'KMS called directly',
      },
      {
        principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/operations`,
        action: 'kms:Decrypt',
        resource: d.spill().keyArn,
        identityPolicies: broad('kms:Decrypt'),
        resourcePolicy: d.keyPolicy('collector', d.spill().keyId),
        context: viaService('sqs'),
        neighbour: 'a role of another account',
      },
    ],
  },
  {
    name: "CloudWatch publishes each of the stack's alarms to its alarm topic",
    resourcePolicies: (d) =>
      (['stream', 'collector'] as const).map((side) => ({ side, logicalId: d.alarmTopic(side).policyId })),
    allowed: (d) =>
      (['stream', 'collector'] as const).flatMap((side) =>
        d.ids(side, 'AWS::CloudWatch::Alarm').map((alarm) => ({
          principal: 'cloudwatch.amazonaws.com',
          action: 'sns:Publish',
          resource: d.alarmTopic(side).arn,
          resourcePolicy: d.alarmTopic(side).policy,
          context: {
            'aws:SourceAccount': d.side(side).values.accountId,
            'aws:SourceArn': d.arn(side, alarm),
          },
        })),
      ),
    denied: (d) =>
      (['stream', 'collector'] as const).flatMap((side) => {
        const account = d.side(side).values.accountId;
        const other: Side = side === 'stream' ? 'collector' : 'stream';
        const [alarm] = d.ids(side, 'AWS::CloudWatch::Alarm');
        const alarmArn = d.arn(side, alarm as string);
        const publish = {
          action: 'sns:Publish',
          resource: d.alarmTopic(side).arn,
          resourcePolicy: d.alarmTopic(side).policy,
        };
        const [otherAlarm] = d.ids(other, 'AWS::CloudWatch::Alarm');
        const neighbours: Request[] = [
          {
            ...publish,
            principal: 'cloudwatch.amazonaws.com',
            context: {
              'aws:SourceAccount': OTHER_ACCOUNT,
              'aws:SourceArn': alarmArn.replace(`:${account}:`, `:${OTHER_ACCOUNT}:`),
            },
            neighbour: 'an alarm of another account',
          },
          {
            ...publish,
            principal: 'cloudwatch.amazonaws.com',
            context: {
              'aws:SourceAccount': account,
              'aws:SourceArn': alarmArn.replace(/alarm:.*$/, 'alarm:someone-elses-alarm'),
            },
            neighbour: 'another alarm of the account',
          },
          {
            ...publish,
            principal: 'cloudwatch.amazonaws.com',
            context: {
              'aws:SourceAccount': d.side(other).values.accountId,
              'aws:SourceArn': d.arn(other, otherAlarm as string),
            },
            neighbour: "the other stack's alarm",
          },
          {
            ...publish,
            principal: 'events.amazonaws.com',
            context: { 'aws:SourceAccount': account, 'aws:SourceArn': alarmArn },
            neighbour: 'another service',
          },
          {
            ...publish,
            principal: 'cloudwatch.amazonaws.com',
            context: {
              'aws:SourceAccount': account,
              'aws:SourceArn': alarmArn,
              'aws:SecureTransport': 'false',
            },
            neighbour: 'plain HTTP',
          },
        ];
        return neighbours;
      }),
  },
  {
    name: 'CloudWatch uses the alarm topic key brought with alarmTopicKeyArn, under the key policy the docs give',
    resourcePolicies: () => [],
    allowed: (d) =>
      (['stream', 'collector'] as const).flatMap((side) =>
        [...CLOUDWATCH_TOPIC_KEY_STATEMENT.Action].map((action) => ({
          principal: 'cloudwatch.amazonaws.com',
          action: action.replace('*', ''),
          resource: requiredKey(d, side),
          resourcePolicy: { Version: '2012-10-17', Statement: [CLOUDWATCH_TOPIC_KEY_STATEMENT] },
        })),
      ),
    denied: (d) =>
      (['stream', 'collector'] as const).map((side) => ({
        principal: 'events.amazonaws.com',
        action: 'kms:GenerateDataKey',
        resource: requiredKey(d, side),
        resourcePolicy: { Version: '2012-10-17', Statement: [CLOUDWATCH_TOPIC_KEY_STATEMENT] },
        neighbour: 'another service',
      })),
  },
  {
    name: 'the collector function writes its own log group',
    resourcePolicies: () => [],
    allowed: (d) => {
      const group = d.arn('collector', d.id('collector', 'AWS::Logs::LogGroup', 'CollectorLogs'));
      return [
        ['logs:CreateLogStream', group.replace(/:\*$/, ':log-stream:2026/12/06/[$LATEST]abc')],
        ['logs:PutLogEvents', group.replace(/:\*$/, ':log-stream:2026/12/06/[$LATEST]abc')],
      ].map(([action, resource]) => ({
        principal: d.collectorRole().arn,
        action: action as string,
        resource: resource as string,
        identityPolicies: d.collectorRole().identityPolicies,
      }));
    },
    denied: (d) => {
      const accessLogs = d.arn('collector', d.id('collector', 'AWS::Logs::LogGroup', 'IngestAccessLogs'));
      return [
        {
          principal: d.collectorRole().arn,
          action: 'logs:PutLogEvents',
          resource: accessLogs.replace(/:\*$/, ':log-stream:forged'),
          identityPolicies: d.collectorRole().identityPolicies,
          neighbour: "the API's access log group",
        },
      ];
    },
  },
];

/** The calls a document with a keyed hash rule and suppression adds: the hash key and the suppression table. */
const PRIVACY_CALLS: readonly Call[] = [
  {
    name: 'the collector function reads the one hash key secret (keyed field hashes and suppressed ids)',
    resourcePolicies: () => [],
    allowed: (d) => [
      {
        principal: d.collectorRole().arn,
        action: 'secretsmanager:GetSecretValue',
        resource: hashKeyArn(d),
        identityPolicies: d.collectorRole().identityPolicies,
      },
    ],
    denied: (d) => [
      ...['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret'].map(
        (action) => ({
          principal: d.collectorRole().arn,
          action,
          resource: hashKeyArn(d),
          identityPolicies: d.collectorRole().identityPolicies,
          neighbour: 'changing the key',
        }),
      ),
      {
        principal: d.collectorRole().arn,
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:${REGION}:${d.topology.collectorAccount}:secret:hmac-key-XyZ123`,
        identityPolicies: d.collectorRole().identityPolicies,
        neighbour: 'another secret',
      },
    ],
  },
  {
    name: 'the collector function looks suppressed ids up in the suppression table (GetItem, BatchGetItem)',
    resourcePolicies: () => [],
    allowed: (d) =>
      SUPPRESSION_TABLE_ACTIONS.map((action) => ({
        principal: d.collectorRole().arn,
        action,
        resource: suppressionTableArn(d),
        identityPolicies: d.collectorRole().identityPolicies,
      })),
    denied: (d) => [
      ...[
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:UpdateItem',
        'dynamodb:Scan',
        'dynamodb:Query',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteTable',
      ].map((action) => ({
        principal: d.collectorRole().arn,
        action,
        resource: suppressionTableArn(d),
        identityPolicies: d.collectorRole().identityPolicies,
        neighbour: 'writing or scanning the list (the operator’s tool does, not the function)',
      })),
      {
        principal: d.collectorRole().arn,
        action: 'dynamodb:GetItem',
        resource: suppressionTableArn(d).replace(/table\/.*$/, 'table/customers'),
        identityPolicies: d.collectorRole().identityPolicies,
        neighbour: 'another table',
      },
    ],
  },
];

/** The hash key secret's ARN (lib/constructs/field-hash-key-secret.ts, construct id FieldHashKey). */
const hashKeyArn = (d: DeployedTopology) =>
  d.ref('collector', d.id('collector', 'AWS::SecretsManager::Secret', 'FieldHashKey'));

/** The suppression table's ARN. */
const suppressionTableArn = (d: DeployedTopology) =>
  d.arn('collector', d.id('collector', 'AWS::DynamoDB::Table', 'Suppression'));

/** What the collector role's own policies allow on a service's resources: `action resource` pairs. */
function grantsOf(d: DeployedTopology, service: string): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : [value]) as string[];
  return d
    .collectorRole()
    .identityPolicies.flatMap(({ policy }) => policy.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      list(statement.Action)
        .filter((action) => action.startsWith(`${service}:`))
        .flatMap((action) => list(statement.Resource).map((resource) => `${action} ${resource}`)),
    )
    .sort();
}

/** The write-keys provisioner's role (lib/constructs/write-keys-secret.ts). */
const provisionerRole = (d: DeployedTopology) => d.role('collector', 'WriteKeysProvisionerRole');

/** The alarm topic's KMS key (from the template): the option this row is about must be on. */
function requiredKey(d: DeployedTopology, side: Side): string {
  const { keyArn } = d.alarmTopic(side);
  if (keyArn === undefined) throw new Error(`the ${side} stack's alarm topic is not encrypted`);
  return keyArn;
}

/** A concrete request ARN for a permission's `aws:SourceArn` pattern (`*` = any stage, any method). */
function routeArn(permission: IamPolicy): string {
  const [statement] = permission.Statement;
  const condition = statement?.Condition as { ArnLike?: { 'aws:SourceArn'?: string } } | undefined;
  const pattern = condition?.ArnLike?.['aws:SourceArn'];
  if (pattern === undefined)
    throw new Error('a Lambda permission without aws:SourceArn: any API could invoke');
  return pattern.replace('/*/*/', '/$default/POST/');
}

/** `arn:...:<apiId>` and the `stage/method/path` after it. */
function splitRouteArn(arn: string): [string, string] {
  const slash = arn.indexOf('/');
  return [arn.slice(0, slash), arn.slice(slash + 1)];
}

/** The same-account topology with the privacy document, built once for the two blocks that read it. */
let privacy: Topology | undefined;
const privacyTopology = (): Topology => {
  privacy ??= sameAccount(PRIVACY_DOCUMENT);
  return privacy;
};

describe.each([
  ['same-account', () => sameAccount(), CALLS],
  ['cross-account', crossAccount, CALLS],
] as const)('the grant matrix of the %s deployment', (_, topology, calls) => {
  let deployed: DeployedTopology;
  beforeAll(() => {
    deployed = new DeployedTopology(topology());
  });

  it.each(calls.map((call) => [call.name, call] as const))('allows: %s', async (_name, call) => {
    const requests = call.allowed(deployed);

    const decided = await decisions(requests);

    expect(requests.length).toBeGreaterThan(0);
    expect(decided).toEqual(decided.map(({ request }) => ({ request, decision: 'Allowed' })));
  });

  it.each(calls.map((call) => [call.name, call] as const))(
    'denies the nearest neighbours of: %s',
    async (_name, call) => {
      const requests = call.denied(deployed);

      const decided = await decisions(requests);

      expect(requests.length).toBeGreaterThan(0);
      expect(decided.filter(({ decision }) => decision === 'Allowed')).toEqual([]);
    },
  );

  it('decides a call by every resource policy in its templates', () => {
    const covered = new Set(
      calls
        .flatMap((call) => call.resourcePolicies(deployed))
        .map(({ side, logicalId }) => `${side}:${logicalId}`),
    );

    const holders = (['stream', 'collector'] as const).flatMap((side) =>
      resourcePolicyHolders(deployed.side(side).template).map((holder) => `${side}:${holder}`),
    );

    expect(holders.filter((holder) => !covered.has(holder.replace(/ \(.*\)$/, '')))).toEqual([]);
    expect(holders.length).toBeGreaterThan(20);
  });
});

/**
 * The same-account deployment of a document whose source hashes with the key and suppresses users:
 * the calls it adds. The resources it adds hold no resource policy, so every other call is the
 * same-account matrix's.
 */
describe('the grant matrix of the same-account deployment with a keyed hash rule and suppression', () => {
  let deployed: DeployedTopology;
  beforeAll(() => {
    deployed = new DeployedTopology(privacyTopology());
  });

  it.each(PRIVACY_CALLS.map((call) => [call.name, call] as const))('allows: %s', async (_name, call) => {
    const requests = call.allowed(deployed);

    const decided = await decisions(requests);

    expect(requests.length).toBeGreaterThan(0);
    expect(decided).toEqual(decided.map(({ request }) => ({ request, decision: 'Allowed' })));
  });

  it.each(PRIVACY_CALLS.map((call) => [call.name, call] as const))(
    'denies the nearest neighbours of: %s',
    async (_name, call) => {
      const requests = call.denied(deployed);

      const decided = await decisions(requests);

      expect(requests.length).toBeGreaterThan(0);
      expect(decided.filter(({ decision }) => decision === 'Allowed')).toEqual([]);
    },
  );

  it('puts no resource policy on the key or the table: the identity policy alone decides who reads them', () => {
    const holders = resourcePolicyHolders(privacyTopology().collector.template);

    expect(
      holders.filter((holder) => /^(FieldHashKey|Suppression)|SecretsManager::ResourcePolicy/.test(holder)),
    ).toEqual([]);
    expect(holders.length).toBeGreaterThan(10);
  });

  it('may read exactly two secrets, the write keys and the one hash key (no second key for suppression)', () => {
    const writeKeys = deployed.ref(
      'collector',
      deployed.id('collector', 'AWS::SecretsManager::Secret', 'WriteKeys'),
    );

    expect(grantsOf(deployed, 'secretsmanager')).toEqual(
      [
        `secretsmanager:GetSecretValue ${hashKeyArn(deployed)}`,
        `secretsmanager:GetSecretValue ${writeKeys}`,
      ].sort(),
    );
    expect(deployed.ids('collector', 'AWS::SecretsManager::Secret')).toHaveLength(2);
  });

  it('may only GetItem and BatchGetItem on DynamoDB, on the suppression table alone', () => {
    expect(grantsOf(deployed, 'dynamodb')).toEqual(
      SUPPRESSION_TABLE_ACTIONS.map((action) => `${action} ${suppressionTableArn(deployed)}`).sort(),
    );
  });
});
