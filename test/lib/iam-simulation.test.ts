import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PARTNER, threeSourceDocument, writeDocument } from '../support/config-document';
import {
  collectorTemplate as cachedCollectorTemplate,
  streamTemplate as cachedStreamTemplate,
} from '../support/synth-cache';
import { decide } from './support/decide-request';
import {
  type DeployedValues,
  type IamPolicy,
  policiesOfRole,
  resolvedOutputs,
  resolveIntrinsics,
} from './support/resolve-intrinsics';
import { onlyLogicalId, WRITE_KEYS_SECRET_PATTERN } from './support/template-assertions';
import { buildTestApp, templateOf } from './support/test-app';

const REGION = 'eu-west-1';
const STREAM_ACCOUNT = '222222222222';
const COLLECTOR_ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '333333333333';
const STREAM_ARN = `arn:aws:kinesis:${REGION}:${STREAM_ACCOUNT}:stream/events`;
const FAILED_STREAM_ARN = `arn:aws:kinesis:${REGION}:${STREAM_ACCOUNT}:stream/events-failed`;
const OTHER_STREAM_ARN = `arn:aws:kinesis:${REGION}:${STREAM_ACCOUNT}:stream/other-events`;
const WRITER_ROLE_ARN = `arn:aws:iam::${STREAM_ACCOUNT}:role/event-writer`;
const KEY_ARN = `arn:aws:kms:${REGION}:${STREAM_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The collector's function role as the CDK app names it: under the collector IAM path, name generated. */
const COLLECTOR_ROLE_ARN = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/kinesis-event-forwarder/KinesisEventForwarder/collector`;
/** Another principal of the collector's account, allowed sts:AssumeRole on anything by its own policy. */
const DEVELOPER_ROLE_ARN = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/developer`;
/** The session name the collector opens on the writer role. */
const SESSION = { 'sts:RoleSessionName': 'kinesis-event-forwarder-kinesis' };
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${COLLECTOR_ACCOUNT}:secret:write-keys-AbCdEf`;
const queueArn = (logicalId: string) => `arn:aws:sqs:${REGION}:${COLLECTOR_ACCOUNT}:${logicalId}`;

/** The event stream and (when there is one) the failed-events stream, by logical id. */
function streamIds(template: Template): { stream: string; failed?: string } {
  const ids = Object.keys(template.findResources('AWS::Kinesis::Stream'));
  const failed = ids.find((id) => id.startsWith('FailedEvents'));
  const stream = ids.find((id) => id !== failed);
  if (stream === undefined || ids.length > 2)
    throw new Error(`expected the event stream, found ${ids.join(', ')}`);
  return { stream, ...(failed === undefined ? {} : { failed }) };
}

function streamAccountValues(template: Template): DeployedValues {
  const { stream, failed } = streamIds(template);
  const role = onlyLogicalId(template, 'AWS::IAM::Role');
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  return {
    partition: 'aws',
    region: REGION,
    accountId: STREAM_ACCOUNT,
    refs: {
      [stream]: 'events',
      ...(failed === undefined ? {} : { [failed]: 'events-failed' }),
      [role]: 'event-writer',
      ...Object.fromEntries(keys.map((key) => [key, KEY_ARN])),
    },
    attributes: {
      [`${stream}.Arn`]: STREAM_ARN,
      ...(failed === undefined ? {} : { [`${failed}.Arn`]: FAILED_STREAM_ARN }),
      [`${role}.Arn`]: WRITER_ROLE_ARN,
      ...Object.fromEntries(keys.map((key) => [`${key}.Arn`, KEY_ARN])),
    },
  };
}

function collectorAccountValues(template: Template, outputs?: Record<string, string>): DeployedValues {
  const role = collectorRoleId(template);
  const secret = onlyLogicalId(template, 'AWS::SecretsManager::Secret', WRITE_KEYS_SECRET_PATTERN);
  const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
  const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
  return {
    partition: 'aws',
    region: REGION,
    accountId: COLLECTOR_ACCOUNT,
    refs: {
      [role]: 'collector',
      // Other secrets a document adds (the field-hash key): an ARN of their own.
      ...Object.fromEntries(
        Object.keys(template.findResources('AWS::SecretsManager::Secret')).map((id) => [
          id,
          `arn:aws:secretsmanager:${REGION}:${COLLECTOR_ACCOUNT}:secret:${id}-AbCdEf`,
        ]),
      ),
      [secret]: SECRET_ARN,
    },
    attributes: {
      [`${role}.Arn`]: COLLECTOR_ROLE_ARN,
      ...Object.fromEntries(
        logGroups.map((id) => [`${id}.Arn`, `arn:aws:logs:${REGION}:${COLLECTOR_ACCOUNT}:log-group:${id}:*`]),
      ),
      ...Object.fromEntries(queues.map((id) => [`${id}.Arn`, queueArn(id)])),
    },
    ...(outputs === undefined ? {} : { outputs }),
  };
}

function collectorRoleId(template: Template): string {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] },
    },
  });
  // The collector function's role; the write-keys provisioner has a Lambda role too.
  const [id] = Object.keys(roles).filter((roleId) => roleId.startsWith('CollectorRole'));
  if (id === undefined) throw new Error('no collector function role in the collector template');
  return id;
}

function resolvedRole(template: Template, roleId: string, values: DeployedValues) {
  const { trustPolicy, identityPolicies } = policiesOfRole(template, roleId);
  return {
    trustPolicy: resolveIntrinsics(trustPolicy, values) as IamPolicy,
    identityPolicies: identityPolicies.map(({ name, policy }) => ({
      name,
      policy: resolveIntrinsics(policy, values) as IamPolicy,
    })),
  };
}

/** The writer role's ARN when the stream stack is deployed in the collector's account. */
const WRITER_ROLE_ARN_HERE = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/event-writer`;

/**
 * The writer role and the collector role, resolved, when both stacks are deployed in the collector's
 * account: the stream stack's values say that account, the writer role's ARN (and, when `streamArn`
 * is given, the event stream's ARN) is moved there, and the collector reads the stream stack's outputs.
 */
function sameAccountRoles(streamTemplate: Template, collectorTemplate: Template, streamArn?: string) {
  const streamValues: DeployedValues = {
    ...streamAccountValues(streamTemplate),
    accountId: COLLECTOR_ACCOUNT,
  };
  const moved = (value: string) => {
    const writerMoved = value.replace(WRITER_ROLE_ARN, WRITER_ROLE_ARN_HERE);
    return streamArn === undefined ? writerMoved : writerMoved.replace(STREAM_ARN, streamArn);
  };
  const sameAccountStreamValues: DeployedValues = {
    ...streamValues,
    attributes: Object.fromEntries(
      Object.entries(streamValues.attributes).map(([key, value]) => [key, moved(value)]),
    ),
  };
  return {
    writer: resolvedRole(
      streamTemplate,
      onlyLogicalId(streamTemplate, 'AWS::IAM::Role'),
      sameAccountStreamValues,
    ),
    collector: resolvedRole(
      collectorTemplate,
      collectorRoleId(collectorTemplate),
      collectorAccountValues(collectorTemplate, resolvedOutputs(streamTemplate, sameAccountStreamValues)),
    ),
  };
}

describe('IAM simulation of the cross-account deployment', () => {
  // Prepare: the data owner deploys the stream stack for the collector's account with two external IDs
  // and a customer-managed key; the collector's account deploys the collector with one of those IDs.
  const streamTemplate = cachedStreamTemplate({
    collectorAccountId: COLLECTOR_ACCOUNT,
    externalIds: 'source-a-1f3e,source-b-9c2d',
    streamEncryption: 'CUSTOMER_MANAGED',
  });
  const streamValues = streamAccountValues(streamTemplate);
  const writer = resolvedRole(streamTemplate, onlyLogicalId(streamTemplate, 'AWS::IAM::Role'), streamValues);
  const keyPolicy = resolveIntrinsics(
    streamTemplate.toJSON().Resources[onlyLogicalId(streamTemplate, 'AWS::KMS::Key')].Properties.KeyPolicy,
    streamValues,
  ) as IamPolicy;

  const collectorTemplate = cachedCollectorTemplate({
    writerRoleArn: WRITER_ROLE_ARN,
    streamArn: STREAM_ARN,
    externalId: 'source-a-1f3e',
  });
  const collector = resolvedRole(
    collectorTemplate,
    collectorRoleId(collectorTemplate),
    collectorAccountValues(collectorTemplate),
  );

  const asWriter = (
    action: string,
    resource: string,
    resourcePolicy?: IamPolicy,
    context?: Record<string, string>,
  ) =>
    decide({
      principal: WRITER_ROLE_ARN,
      action,
      resource,
      resourceAccount: STREAM_ACCOUNT,
      identityPolicies: writer.identityPolicies,
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
      ...(context === undefined ? {} : { context }),
    });

  const assumeWriter = (principal: string, context: Record<string, string>) =>
    decide({
      principal,
      action: 'sts:AssumeRole',
      resource: WRITER_ROLE_ARN,
      resourceAccount: STREAM_ACCOUNT,
      // An outsider gets the same identity policy: only the trust policy can stop it.
      identityPolicies: collector.identityPolicies,
      resourcePolicy: writer.trustPolicy,
      context,
    });

  it.each(['kinesis:PutRecord', 'kinesis:PutRecords'])(
    'allows the writer role %s on its stream',
    async (action) => {
      expect(await asWriter(action, STREAM_ARN)).toBe('Allowed');
    },
  );

  it.each(['kinesis:PutRecord', 'kinesis:PutRecords'])(
    'allows the writer role %s on its failed-events stream',
    async (action) => {
      expect(await asWriter(action, FAILED_STREAM_ARN)).toBe('Allowed');
    },
  );

  it('denies the writer role reading its failed-events stream', async () => {
    expect(await asWriter('kinesis:GetRecords', FAILED_STREAM_ARN)).not.toBe('Allowed');
  });

  it.each(['kinesis:PutRecord', 'kinesis:PutRecords'])(
    'denies the writer role %s on any other stream',
    async (action) => {
      expect(await asWriter(action, OTHER_STREAM_ARN)).not.toBe('Allowed');
    },
  );

  it.each([
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:DescribeStream',
    'kinesis:ListShards',
    'kinesis:DeleteStream',
  ])('denies the writer role %s on its own stream', async (action) => {
    expect(await asWriter(action, STREAM_ARN)).not.toBe('Allowed');
  });

  it('lets the writer role generate data keys with the stream key through Kinesis and nothing more', async () => {
    const viaKinesis = { 'kms:ViaService': `kinesis.${REGION}.amazonaws.com` };
    expect(await asWriter('kms:GenerateDataKey', KEY_ARN, keyPolicy, viaKinesis)).toBe('Allowed');
    expect(await asWriter('kms:GenerateDataKey', KEY_ARN, keyPolicy)).not.toBe('Allowed');
    expect(await asWriter('kms:Decrypt', KEY_ARN, keyPolicy, viaKinesis)).not.toBe('Allowed');
    expect(await asWriter('kms:Encrypt', KEY_ARN, keyPolicy, viaKinesis)).not.toBe('Allowed');
  });

  it.each(['source-a-1f3e', 'source-b-9c2d'])(
    'lets the collector role assume the writer role with the external ID %s',
    async (externalId) => {
      expect(await assumeWriter(COLLECTOR_ROLE_ARN, { 'sts:ExternalId': externalId, ...SESSION })).toBe(
        'Allowed',
      );
    },
  );

  it('denies assuming the writer role with a wrong external ID', async () => {
    expect(
      await assumeWriter(COLLECTOR_ROLE_ARN, { 'sts:ExternalId': 'source-c-0000', ...SESSION }),
    ).not.toBe('Allowed');
  });

  it('denies assuming the writer role without an external ID', async () => {
    expect(await assumeWriter(COLLECTOR_ROLE_ARN, SESSION)).not.toBe('Allowed');
  });

  it("denies another principal of the collector's account even with a valid external ID", async () => {
    expect(
      await assumeWriter(DEVELOPER_ROLE_ARN, { 'sts:ExternalId': 'source-a-1f3e', ...SESSION }),
    ).not.toBe('Allowed');
  });

  it('denies the collector role a session name other than kinesis-event-forwarder-*', async () => {
    expect(
      await assumeWriter(COLLECTOR_ROLE_ARN, {
        'sts:ExternalId': 'source-a-1f3e',
        'sts:RoleSessionName': 'console-session',
      }),
    ).not.toBe('Allowed');
  });

  it('denies assuming the writer role from another account even with a valid external ID', async () => {
    const outsider = `arn:aws:iam::${OTHER_ACCOUNT}:role/kinesis-event-forwarder/KinesisEventForwarder/collector`;
    expect(await assumeWriter(outsider, { 'sts:ExternalId': 'source-a-1f3e', ...SESSION })).not.toBe(
      'Allowed',
    );
  });

  it('denies the collector role any role but the writer role', async () => {
    const decision = await decide({
      principal: COLLECTOR_ROLE_ARN,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${STREAM_ACCOUNT}:role/admin`,
      resourceAccount: STREAM_ACCOUNT,
      identityPolicies: collector.identityPolicies,
      // Even a role that trusts the whole collector account stays out of reach.
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${COLLECTOR_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
    });
    expect(decision).not.toBe('Allowed');
  });

  it.each(['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:GetRecords'])(
    'denies the collector role %s on the stream directly',
    async (action) => {
      const decision = await decide({
        principal: COLLECTOR_ROLE_ARN,
        action,
        resource: STREAM_ARN,
        resourceAccount: STREAM_ACCOUNT,
        identityPolicies: collector.identityPolicies,
      });
      expect(decision).not.toBe('Allowed');
    },
  );

  describe('on the spill queue', () => {
    const spillQueue = queueArn(
      onlyLogicalId(collectorTemplate, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() }),
    );
    const deadLetters = queueArn(
      onlyLogicalId(collectorTemplate, 'AWS::SQS::Queue', { RedrivePolicy: Match.absent() }),
    );
    const asCollector = (action: string, resource: string) =>
      decide({
        principal: COLLECTOR_ROLE_ARN,
        action,
        resource,
        resourceAccount: COLLECTOR_ACCOUNT,
        identityPolicies: collector.identityPolicies,
      });

    const queuePolicyOf = (queueId: string) => {
      const [policy] = Object.values(collectorTemplate.findResources('AWS::SQS::QueuePolicy')).filter(
        (resource) => JSON.stringify(resource.Properties.Queues).includes(queueId),
      );
      return resolveIntrinsics(
        policy?.Properties.PolicyDocument,
        collectorAccountValues(collectorTemplate),
      ) as IamPolicy;
    };
    const spillQueueId = spillQueue.split(':').pop() as string;
    /** A principal of the collector's account whose own policy allows every SQS action on everything. */
    const withSqsStar = (principal: string, action: string) =>
      decide({
        principal,
        action,
        resource: spillQueue,
        resourceAccount: COLLECTOR_ACCOUNT,
        identityPolicies: [
          {
            name: 'sqs-admin',
            policy: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }],
            },
          },
        ],
        resourcePolicy: queuePolicyOf(spillQueueId),
        context: { 'aws:SecureTransport': 'true' },
      });

    it.each(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage', 'sqs:PurgeQueue'])(
      'denies %s on the spill queue to another principal of the account, whatever its own policy allows',
      async (action) => {
        expect(await withSqsStar(DEVELOPER_ROLE_ARN, action)).not.toBe('Allowed');
      },
    );

    it("lets a redrive role under the collector's IAM path receive and delete spilled events", async () => {
      const redrive = `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/kinesis-event-forwarder/KinesisEventForwarder/redrive`;
      expect(await withSqsStar(redrive, 'sqs:ReceiveMessage')).toBe('Allowed');
      expect(await withSqsStar(redrive, 'sqs:DeleteMessage')).toBe('Allowed');
    });

    it('lets the collector role send messages to its spill queue', async () => {
      expect(await asCollector('sqs:SendMessage', spillQueue)).toBe('Allowed');
    });

    it.each(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes'])(
      'denies the collector role %s on its spill queue',
      async (action) => {
        expect(await asCollector(action, spillQueue)).not.toBe('Allowed');
      },
    );

    it('denies the collector role sending to the dead-letter queue or any other queue', async () => {
      expect(await asCollector('sqs:SendMessage', deadLetters)).not.toBe('Allowed');
      expect(await asCollector('sqs:SendMessage', queueArn('someone-elses-queue'))).not.toBe('Allowed');
    });
  });

  it('lets the collector role read its write keys secret and no other secret', async () => {
    const read = (resource: string) =>
      decide({
        principal: COLLECTOR_ROLE_ARN,
        action: 'secretsmanager:GetSecretValue',
        resource,
        resourceAccount: COLLECTOR_ACCOUNT,
        identityPolicies: collector.identityPolicies,
      });
    expect(await read(SECRET_ARN)).toBe('Allowed');
    expect(
      await read(`arn:aws:secretsmanager:${REGION}:${COLLECTOR_ACCOUNT}:secret:database-XyZ123`),
    ).not.toBe('Allowed');
  });
});

describe('IAM simulation of the same-account deployment', () => {
  // Prepare: both stacks in one account; the collector reads the stream stack's outputs. The
  // default topology of other files' synths (test/support/synth-cache.ts), its external ID theirs.
  const streamTemplate = cachedStreamTemplate({ externalIds: 'ext-one' });
  const collectorTemplate = cachedCollectorTemplate({ externalIds: 'ext-one' });
  const writerArnHere = WRITER_ROLE_ARN_HERE;
  const streamArnHere = `arn:aws:kinesis:${REGION}:${COLLECTOR_ACCOUNT}:stream/events`;
  const { writer, collector } = sameAccountRoles(streamTemplate, collectorTemplate, streamArnHere);

  it('lets the collector role assume the writer role with the external ID it was deployed with', async () => {
    const decision = await decide({
      principal: COLLECTOR_ROLE_ARN,
      action: 'sts:AssumeRole',
      resource: writerArnHere,
      resourceAccount: COLLECTOR_ACCOUNT,
      identityPolicies: collector.identityPolicies,
      resourcePolicy: writer.trustPolicy,
      context: { 'sts:ExternalId': 'ext-one', ...SESSION },
    });
    expect(decision).toBe('Allowed');
  });

  const assumeAs = (principal: string) =>
    decide({
      principal,
      action: 'sts:AssumeRole',
      resource: writerArnHere,
      resourceAccount: COLLECTOR_ACCOUNT,
      // Its own identity policy allows sts:AssumeRole on every role: only the trust policy can stop it.
      identityPolicies: [
        {
          name: 'broad',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
          },
        },
      ],
      resourcePolicy: writer.trustPolicy,
      context: { 'sts:ExternalId': 'ext-one', ...SESSION },
    });

  it('denies another principal of the same account that has the external ID', async () => {
    expect(await assumeAs(DEVELOPER_ROLE_ARN)).not.toBe('Allowed');
  });

  it('denies the roles of another collector deployment (another stackPrefix) in the same account', async () => {
    expect(
      await assumeAs(`arn:aws:iam::${COLLECTOR_ACCOUNT}:role/kinesis-event-forwarder/OtherPrefix/collector`),
    ).not.toBe('Allowed');
  });

  it("lets an operator role under the deployment's collector path assume it with the external ID", async () => {
    expect(
      await assumeAs(
        `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/kinesis-event-forwarder/KinesisEventForwarder/redrive`,
      ),
    ).toBe('Allowed');
  });

  it('denies the collector role direct writes to the stream in its own account', async () => {
    const decision = await decide({
      principal: COLLECTOR_ROLE_ARN,
      action: 'kinesis:PutRecords',
      resource: streamArnHere,
      resourceAccount: COLLECTOR_ACCOUNT,
      identityPolicies: collector.identityPolicies,
    });
    expect(decision).not.toBe('Allowed');
  });

  it('denies a principal of the same account that assumes the writer role without the external ID', async () => {
    const decision = await decide({
      principal: `arn:aws:iam::${COLLECTOR_ACCOUNT}:role/someone-else`,
      action: 'sts:AssumeRole',
      resource: writerArnHere,
      resourceAccount: COLLECTOR_ACCOUNT,
      identityPolicies: [
        {
          name: 'broad',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: writerArnHere }],
          },
        },
      ],
      resourcePolicy: writer.trustPolicy,
    });
    expect(decision).not.toBe('Allowed');
  });
});

describe('IAM simulation of a deployed configuration document (two destinations: the stream stack and another account)', () => {
  // Prepare: same account, -c collectorConfig=<the three-source document>; partner's role trusts the
  // collector's account with its external ID, as that account's owner would write it.
  const dir = mkdtempSync(join(tmpdir(), 'iam-document-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const deployment = buildTestApp({
    externalIds: 'document-external-id',
    collectorConfig: writeDocument(dir, threeSourceDocument()),
  });
  const streamTemplate = templateOf(deployment.streamStack);
  const collectorTemplate = templateOf(deployment.collectorStack);
  const writerArnHere = WRITER_ROLE_ARN_HERE;
  const { writer, collector } = sameAccountRoles(streamTemplate, collectorTemplate);
  const partnerAccount = PARTNER.roleArn.split(':')[4] as string;
  /** A trust policy of the partner's account: the collector's account, with the partner's external ID. */
  const partnerTrust: IamPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${COLLECTOR_ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': PARTNER.externalId } },
      },
    ],
  };
  const assume = (role: string, account: string, trust: IamPolicy, externalId: string) =>
    decide({
      principal: COLLECTOR_ROLE_ARN,
      action: 'sts:AssumeRole',
      resource: role,
      resourceAccount: account,
      identityPolicies: collector.identityPolicies,
      resourcePolicy: trust,
      context: { 'sts:ExternalId': externalId, ...SESSION },
    });

  it("lets the function role assume the stream stack's writer role with the first external ID", async () => {
    expect(await assume(writerArnHere, COLLECTOR_ACCOUNT, writer.trustPolicy, 'document-external-id')).toBe(
      'Allowed',
    );
  });

  it("lets the function role assume the other account's role the document names", async () => {
    expect(await assume(PARTNER.roleArn, partnerAccount, partnerTrust, PARTNER.externalId)).toBe('Allowed');
  });

  it('denies the function role any other role, even one of that account that trusts it', async () => {
    const other = `arn:aws:iam::${partnerAccount}:role/partner-admin`;
    expect(await assume(other, partnerAccount, partnerTrust, PARTNER.externalId)).not.toBe('Allowed');
  });

  it('grants sts:AssumeRole on exactly those two roles', () => {
    const resources = collector.identityPolicies
      .flatMap(({ policy }) => policy.Statement)
      .filter((statement) => statement.Action === 'sts:AssumeRole')
      .flatMap((statement) => [statement.Resource].flat());
    expect(resources.sort()).toEqual([PARTNER.roleArn, writerArnHere].sort());
  });
});
