import { Stack } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { knownContextKeys } from '../../lib/config';
import { WRITE_KEYS_GENERATION } from '../../lib/constructs/write-keys-secret';
import { buildTestApp } from './support/test-app';

/**
 * CloudFormation generates a new secret value, overwriting every key rotated in by hand, whenever
 * the secret's `GenerateSecretString` changes, and makes a new secret when its logical id changes.
 * Neither may follow from any context key: each key is changed here, one at a time, against a base
 * deployment of its topology. The stacks are built, not synthesized (the values are resolved), to
 * keep this quick.
 */
const SAME_ACCOUNT = { externalIds: 'stability-check' };
const COLLECTOR_ALONE = {
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
  externalId: 'stability-check',
};
const DOMAIN = {
  domainName: 'events.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
};

/** Context keys no collector stack reads: the data owner's side of a cross-account deployment. */
const STREAM_ACCOUNT_ONLY = ['collectorAccountId', 'collectorRoleArn'];
/** Settings of the stream stack's archive: `archive` itself is one of the changes, these only tune it. */
const ARCHIVE_SETTINGS = [
  'archiveTransitionDays',
  'archiveExpirationDays',
  'archiveBufferSeconds',
  'archiveBufferMb',
  'archiveRecordFormat',
];

/** For each context key: the base it changes, and the change. */
const CHANGES: Record<string, readonly [Record<string, string>, Record<string, string>]> = {
  stackPrefix: [SAME_ACCOUNT, { stackPrefix: 'Events' }],
  streamMode: [SAME_ACCOUNT, { streamMode: 'PROVISIONED' }],
  shardCount: [SAME_ACCOUNT, { streamMode: 'PROVISIONED', shardCount: '4' }],
  retentionHours: [SAME_ACCOUNT, { retentionHours: '168' }],
  streamEncryption: [SAME_ACCOUNT, { streamEncryption: 'CUSTOMER_MANAGED' }],
  sourceId: [SAME_ACCOUNT, { sourceId: 'web-shop' }],
  destinationId: [SAME_ACCOUNT, { destinationId: 'warehouse' }],
  partitionKey: [SAME_ACCOUNT, { partitionKey: 'event_id' }],
  allowedOrigins: [SAME_ACCOUNT, { allowedOrigins: 'https://www.example.com,https://shop.example.com' }],
  corsMaxAgeSeconds: [SAME_ACCOUNT, { corsMaxAgeSeconds: '60' }],
  throttlingRateLimit: [SAME_ACCOUNT, { throttlingRateLimit: '100' }],
  throttlingBurstLimit: [SAME_ACCOUNT, { throttlingBurstLimit: '4000' }],
  lambdaMemoryMb: [SAME_ACCOUNT, { lambdaMemoryMb: '1024' }],
  lambdaTimeoutSeconds: [SAME_ACCOUNT, { lambdaTimeoutSeconds: '20' }],
  tracing: [SAME_ACCOUNT, { tracing: 'true' }],
  logLevel: [SAME_ACCOUNT, { logLevel: 'DEBUG' }],
  logRetentionDays: [SAME_ACCOUNT, { logRetentionDays: '7' }],
  retainSpillQueues: [SAME_ACCOUNT, { retainSpillQueues: 'false' }],
  retainWriteKeys: [SAME_ACCOUNT, { retainWriteKeys: 'false' }],
  spillEncryption: [SAME_ACCOUNT, { spillEncryption: 'CUSTOMER_MANAGED' }],
  accessLogSourceIp: [SAME_ACCOUNT, { accessLogSourceIp: 'true' }],
  failedEventsStream: [SAME_ACCOUNT, { failedEventsStream: 'false' }],
  externalIds: [SAME_ACCOUNT, { externalIds: 'another-id,stability-check' }],
  writerRoleArn: [COLLECTOR_ALONE, { writerRoleArn: 'arn:aws:iam::222222222222:role/other-writer' }],
  streamArn: [COLLECTOR_ALONE, { streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/other' }],
  externalId: [COLLECTOR_ALONE, { externalId: 'another-id' }],
  failedStreamName: [COLLECTOR_ALONE, { failedStreamName: 'events-failed' }],
  alarmEmail: [SAME_ACCOUNT, { alarmEmail: 'ops@example.com' }],
  alarmTopicArn: [SAME_ACCOUNT, { alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:alarms' }],
  alarmTopicKeyArn: [
    SAME_ACCOUNT,
    {
      alarmEmail: 'ops@example.com',
      alarmTopicKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  ],
  iteratorAgeAlarmSeconds: [SAME_ACCOUNT, { iteratorAgeAlarmSeconds: '600' }],
  archive: [SAME_ACCOUNT, { archive: 'true' }],
  reservedConcurrency: [SAME_ACCOUNT, { reservedConcurrency: '100' }],
  redriveRoleArns: [SAME_ACCOUNT, { redriveRoleArns: 'arn:aws:iam::111111111111:role/operations' }],
  failedRateAlarmPercent: [SAME_ACCOUNT, { failedRateAlarmPercent: '5' }],
  domainName: [SAME_ACCOUNT, DOMAIN],
  hostedZoneId: [SAME_ACCOUNT, DOMAIN],
  hostedZoneName: [SAME_ACCOUNT, DOMAIN],
  certificateArn: [
    SAME_ACCOUNT,
    {
      domainName: 'events.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012',
    },
  ],
  disableExecuteApiEndpoint: [SAME_ACCOUNT, { ...DOMAIN, disableExecuteApiEndpoint: 'true' }],
  ipAddressType: [SAME_ACCOUNT, { ...DOMAIN, ipAddressType: 'ipv4' }],
  // A configuration document: other source ids (the secret's entries are added, never regenerated).
  collectorConfig: [SAME_ACCOUNT, { collectorConfig: 'examples/deploy.json' }],
  // The same-origin path: a second secret beside the write keys, which must stay as they are.
  sameOriginPrefix: [SAME_ACCOUNT, { sameOriginPrefix: '/collect' }],
};

/** The secret's generation settings and logical id, as CloudFormation would receive them. */
function secretIdentity(context: Record<string, string>) {
  const { collectorStack } = buildTestApp(context);
  if (collectorStack === undefined) throw new Error('this context deploys no collector stack');
  const secret = collectorStack.side.writeKeys.secret.node.defaultChild as secretsmanager.CfnSecret;
  const stack = Stack.of(secret);
  return {
    logicalId: stack.resolve(secret.logicalId),
    generateSecretString: stack.resolve(secret.generateSecretString),
  };
}

describe("the write-keys secret's generated value", () => {
  const bases = new Map<Record<string, string>, ReturnType<typeof secretIdentity>>(
    [SAME_ACCOUNT, COLLECTOR_ALONE].map((base) => [base, secretIdentity(base)]),
  );

  it('has a change here for every context key a collector stack reads', () => {
    const covered = [...Object.keys(CHANGES), ...STREAM_ACCOUNT_ONLY, ...ARCHIVE_SETTINGS].sort();
    expect(covered).toEqual([...knownContextKeys()].sort());
  });

  it('is generated with the constant settings, which the construct test finds in the synthesized template', () => {
    expect(bases.get(SAME_ACCOUNT)?.generateSecretString).toEqual(WRITE_KEYS_GENERATION);
  });

  it('is generated with the same settings in both topologies', () => {
    expect(bases.get(COLLECTOR_ALONE)).toEqual(bases.get(SAME_ACCOUNT));
  });

  it.each(Object.entries(CHANGES))(
    'keeps its generation settings and logical id when %s changes, so an update never regenerates it',
    (_, [base, change]) => {
      expect(secretIdentity({ ...base, ...change })).toEqual(bases.get(base));
    },
  );
});
