import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorClient } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import type { AwsConnection } from '../../tools/verify/aws-connection';
import type { VerifyTarget } from '../../tools/verify/step-outputs';
import { cloudWatchPublishing } from '../../tools/verify/topic-policy';
import { trustNaming } from '../../tools/verify/trust-policy';
import { parseVerifyArgs, VerifyUsageError } from '../../tools/verify/verify-args';
import { verifyDeployment } from '../../tools/verify/verify-deployment';
import type { VerifyStep, VerifyStepName } from '../../tools/verify/verify-step';
import {
  startTestCloudFormation,
  type TestCloudFormation,
  type TestStack,
} from '../support/cloudformation-server';
import { startTestCloudWatch, type TestCloudWatch } from '../support/cloudwatch-server';
import { startTestIam, type TestIam } from '../support/iam-server';
import { startPlanCollector } from '../support/plan-collector';
import { runNpmScript } from '../support/run-npm-script';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager-server';
import { startTestSns, type TestSns } from '../support/sns-server';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const ACCOUNT = '000000000000';
const KEY = 'verify-write-key-1';
const STREAM = `verify-events-${process.pid}`;
const FAILED_STREAM = `${STREAM}-failed`;
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:WriteKeys-abc`;
const COLLECTOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/Verify/Verify-Collector-CollectorRole-1A`;
const WRITER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Verify-Stream-WriterRole-2B`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:Verify-Collector-AlarmTopic-3C`;
const ALARMS = ['Verify-Collector-DeliveryErrors-4D', 'Verify-Collector-FailedRate-5E'];

/** The writer role's trust, shaped as lib/constructs/stream-writer-role.ts writes it. */
const trustOf = (principalArnPattern: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': 'verify-external-id' },
          ArnLike: { 'aws:PrincipalArn': principalArnPattern },
          StringLike: { 'sts:RoleSessionName': 'kinesis-event-forwarder-*' },
        },
      },
    ],
  });

/** The TLS-only statement `enforceSSL` adds to a topic policy. */
const TLS_ONLY = {
  Effect: 'Deny',
  Principal: '*',
  Action: 'sns:Publish',
  Resource: TOPIC,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const topicPolicyOf = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const CLOUDWATCH_MAY_PUBLISH = {
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: TOPIC,
  Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
};

function collectorStack(name: string, overrides: Partial<Record<string, string>> = {}): TestStack {
  return {
    name,
    outputs: Object.fromEntries(
      Object.entries({
        CollectorUrl: '',
        CollectorRoleArn: COLLECTOR_ROLE,
        WriteKeysSecretArn: SECRET_ARN,
        SpillQueueUrl: `http://127.0.0.1:1/${ACCOUNT}/spill`,
        SpillDeadLetterQueueUrl: `http://127.0.0.1:1/${ACCOUNT}/spill-dlq`,
        ...overrides,
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    resources: ALARMS.map((physicalId) => ({ type: 'AWS::CloudWatch::Alarm', physicalId })),
  };
}

function streamStack(name: string, overrides: Partial<Record<string, string>> = {}): TestStack {
  return {
    name,
    outputs: {
      StreamName: STREAM,
      StreamArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${STREAM}`,
      FailedStreamName: FAILED_STREAM,
      WriterRoleArn: WRITER_ROLE,
      ...overrides,
    },
  };
}

const statusOf = (steps: readonly VerifyStep[]) =>
  Object.fromEntries(steps.map((step) => [step.name, step.status])) as Record<VerifyStepName, string>;
const stepOf = (steps: readonly VerifyStep[], name: VerifyStepName) =>
  steps.find((step) => step.name === name) as VerifyStep;

describe('npm run verify-deployment against local stand-ins', () => {
  const kinesis = useTestKinesis();
  let collector: Awaited<ReturnType<typeof startPlanCollector>>;
  let cloudFormation: TestCloudFormation;
  let secrets: TestSecretsManager;
  let sns: TestSns;
  let cloudWatch: TestCloudWatch;
  let iam: TestIam;
  let connection: AwsConnection;

  beforeAll(async () => {
    await ensureStream(kinesis.client, STREAM, 2);
    await ensureStream(kinesis.client, FAILED_STREAM, 1);
    [collector, cloudFormation, secrets, sns, cloudWatch, iam] = await Promise.all([
      startPlanCollector({
        endpoint: kinesis.endpoint,
        sourceId: 'default',
        writeKey: KEY,
        streamName: STREAM,
        failedStreamName: FAILED_STREAM,
        required: ['order_id'],
      }),
      startTestCloudFormation(),
      startTestSecretsManager(),
      startTestSns(),
      startTestCloudWatch(),
      startTestIam(),
    ]);
    secrets.put(SECRET_ARN, JSON.stringify({ default: [KEY] }));
    cloudFormation.put(collectorStack('Verify-Collector', { CollectorUrl: `${collector.url}/` }));
    cloudFormation.put(streamStack('Verify-Stream'));
    for (const name of ALARMS) cloudWatch.put({ name, actions: [TOPIC] });
    sns.put({
      arn: TOPIC,
      policy: topicPolicyOf(TLS_ONLY, CLOUDWATCH_MAY_PUBLISH),
      subscriptions: [{ arn: `${TOPIC}:sub-1`, endpoint: 'ops@example.com' }],
    });
    iam.putRole(WRITER_ROLE, trustOf(`arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/Verify/*`));
    connection = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      local: true,
      endpoints: {
        cloudformation: cloudFormation.endpoint,
        secretsManager: secrets.endpoint,
        sns: sns.endpoint,
        cloudwatch: cloudWatch.endpoint,
        iam: iam.endpoint,
      },
    };
  });
  afterAll(async () => {
    await Promise.all([
      collector?.close(),
      cloudFormation?.stop(),
      secrets?.stop(),
      sns?.stop(),
      cloudWatch?.stop(),
      iam?.stop(),
    ]);
  });

  /** Runs the verification, reading the streams with `client` (default: the emulator's). */
  function verify(target: Partial<VerifyTarget> = {}, client?: KinesisClient) {
    return verifyDeployment(
      { stack: 'Verify-Collector', streamStack: { name: 'Verify-Stream', defaulted: true }, ...target },
      {
        connection,
        streams: {
          clientFor: () => client ?? kinesis.client,
          timestampOnClient: true,
          how: 'with the emulator keys',
        },
      },
    );
  }

  it('passes every step of a working deployment, and its two events carry the test mark', async () => {
    // Act
    const steps = await verify();

    // Assess
    expect(statusOf(steps)).toEqual({
      outputs: 'ok',
      'test-event': 'ok',
      'failed-event': 'ok',
      'alarm-topic': 'ok',
      alarms: 'ok',
      'writer-trust': 'ok',
    });
    expect(stepOf(steps, 'failed-event').detail).toContain('3 in a row');
    expect(stepOf(steps, 'alarm-topic').detail).toContain('cloudwatch.amazonaws.com');
    expect(stepOf(steps, 'writer-trust').detail).toContain('kinesis-event-forwarder/Verify/*');
    const events = (await readAllRecords(kinesis.client, STREAM)).map((record) => record.json);
    expect(events).toContainEqual(
      expect.objectContaining({
        context: expect.objectContaining({ kinesis_event_forwarder: { test: true } }),
      }),
    );
    const failures = (await readAllRecords(kinesis.client, FAILED_STREAM)).map((record) => record.json);
    expect(failures).toContainEqual(
      expect.objectContaining({
        failure: expect.objectContaining({ code: 'missing_field' }),
        payload: expect.objectContaining({ context: { kinesis_event_forwarder: { test: true } } }),
      }),
    );
  });

  it('fails on a missing output, says to deploy again, and checks nothing that needs it', async () => {
    // Prepare
    cloudFormation.put(
      collectorStack('Old-Collector', { CollectorUrl: collector.url, WriteKeysSecretArn: undefined }),
    );

    // Act
    const steps = await verify({
      stack: 'Old-Collector',
      streamStack: { name: 'Old-Stream', defaulted: true },
    });

    // Assess
    expect(stepOf(steps, 'outputs')).toMatchObject({
      status: 'failed',
      errorCode: 'OutputMissing',
      errorMessage: expect.stringContaining('Old-Collector.WriteKeysSecretArn'),
      fix: expect.stringContaining('npx cdk deploy'),
    });
    expect(steps.slice(1).every((step) => step.status === 'not-checked')).toBe(true);
  });

  it('fails on a stack that is not there, naming --stack and --region', async () => {
    const steps = await verify({ stack: 'Missing-Collector', streamStack: undefined });

    expect(stepOf(steps, 'outputs')).toMatchObject({
      status: 'failed',
      errorCode: 'StackNotFound',
      fix: expect.stringMatching(/--stack.*--region/),
    });
  });

  it('fails when the collector refuses the key in the secret (401), with the fix', async () => {
    // Prepare: the secret of another stack holds a key the collector does not know.
    const secretArn = `${SECRET_ARN}-rotated`;
    secrets.put(secretArn, JSON.stringify({ default: 'not-the-key' }));
    cloudFormation.put(
      collectorStack('Rotated-Collector', { CollectorUrl: collector.url, WriteKeysSecretArn: secretArn }),
    );

    // Act
    const steps = await verify({ stack: 'Rotated-Collector' });

    // Assess
    expect(stepOf(steps, 'test-event')).toMatchObject({
      status: 'failed',
      errorCode: 'HTTP401',
      meaning: expect.stringContaining('source "default"'),
      fix: expect.stringContaining('within 5 minutes'),
    });
    expect(stepOf(steps, 'failed-event')).toMatchObject({ status: 'failed', errorCode: 'HTTP401' });
  });

  it('fails on a source the secret does not have, and then sends no invalid event either', async () => {
    const steps = await verify({ sourceId: 'mobile' });

    expect(stepOf(steps, 'test-event')).toMatchObject({
      status: 'failed',
      errorCode: 'WriteKeySecretFormatError',
      errorMessage: 'the secret has no source "mobile" (it has: default)',
      fix: expect.stringContaining('--source'),
    });
    expect(stepOf(steps, 'failed-event')).toMatchObject({ status: 'not-checked' });
  });

  it('sends the test event but leaves the streams and the writer trust not checked when the stream stack is in another account', async () => {
    // Act: no stream stack here, as in the collector's account.
    const steps = await verify({ streamStack: { name: 'Elsewhere-Stream', defaulted: true } });

    // Assess
    expect(stepOf(steps, 'outputs')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('no stack Elsewhere-Stream here'),
    });
    expect(stepOf(steps, 'test-event')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringMatching(/accepted it \(200\).*give --stream/),
    });
    expect(stepOf(steps, 'failed-event')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringContaining('--failed-stream'),
    });
    expect(stepOf(steps, 'writer-trust')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringContaining("data owner's account"),
    });
  });

  it('fails when the stream the stack names does not exist, saying which output to check', async () => {
    // Prepare
    cloudFormation.put(
      streamStack('Gone-Stream', { StreamName: 'no-such-stream', FailedStreamName: 'no-such-failed' }),
    );

    // Act
    const steps = await verify({ streamStack: { name: 'Gone-Stream', defaulted: false } });

    // Assess
    expect(stepOf(steps, 'test-event')).toMatchObject({
      status: 'failed',
      errorCode: 'ResourceNotFoundException',
      meaning: expect.stringContaining('"no-such-stream"'),
      fix: expect.stringContaining('StreamName output'),
    });
    expect(stepOf(steps, 'failed-event')).toMatchObject({
      status: 'failed',
      fix: expect.stringContaining('FailedStreamName output'),
    });
  });

  it('reports reading the streams as not checked when reading is denied, after the collector took both events', async () => {
    // Prepare: every call of this reader is refused as Kinesis refuses a caller without kinesis:ListShards.
    const denied = emulatorClient(kinesis.endpoint, 'us-east-1');
    denied.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: kinesis:ListShards'), {
          name: 'AccessDeniedException',
        });
      },
      { step: 'initialize' },
    );

    // Act
    const steps = await verify({}, denied);
    denied.destroy();

    // Assess
    expect(stepOf(steps, 'test-event')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringMatching(/accepted it \(200\).*is denied.*--role-arn/),
    });
    expect(stepOf(steps, 'failed-event')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringMatching(/refused \(400: .*\).*is denied/),
    });
  });

  it('fails on an alarm in ALARM, a topic CloudWatch may not publish to, and a trust that does not name the collector', async () => {
    // Prepare: today's enforceSSL-only topic policy, a firing alarm, a trust of another deployment's roles.
    const topic = `${TOPIC}-tls-only`;
    const alarm = 'Broken-Collector-EventsUndelivered-6F';
    const writerRole = `arn:aws:iam::${ACCOUNT}:role/Broken-Stream-WriterRole-7G`;
    sns.put({ arn: topic, policy: topicPolicyOf({ ...TLS_ONLY, Resource: topic }), subscriptions: [] });
    cloudWatch.put({
      name: alarm,
      state: 'ALARM',
      description: 'Events could not be written.',
      actions: [topic],
    });
    iam.putRole(writerRole, trustOf(`arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/Other/*`));
    cloudFormation.put({
      ...collectorStack('Broken-Collector', { CollectorUrl: collector.url }),
      resources: [{ type: 'AWS::CloudWatch::Alarm', physicalId: alarm }],
    });
    cloudFormation.put(streamStack('Broken-Stream', { WriterRoleArn: writerRole }));

    // Act
    const steps = await verify({
      stack: 'Broken-Collector',
      streamStack: { name: 'Broken-Stream', defaulted: true },
    });

    // Assess
    expect(stepOf(steps, 'alarm-topic')).toMatchObject({
      status: 'failed',
      errorCode: 'CloudWatchCannotPublish',
      fix: expect.stringContaining('cloudwatch.amazonaws.com sns:Publish'),
    });
    expect(stepOf(steps, 'alarms')).toMatchObject({
      status: 'failed',
      errorCode: 'InAlarm',
      meaning: 'Events could not be written.',
    });
    expect(stepOf(steps, 'writer-trust')).toMatchObject({
      status: 'failed',
      errorCode: 'CollectorNotTrusted',
      fix: expect.stringContaining('-c collectorRoleArn='),
    });
  });

  it('fails on a topic whose only subscription is not confirmed, and on an alarm deleted by hand', async () => {
    // Prepare
    const topic = `${TOPIC}-pending`;
    sns.put({
      arn: topic,
      policy: topicPolicyOf({ ...CLOUDWATCH_MAY_PUBLISH, Resource: topic }),
      subscriptions: [{ arn: 'PendingConfirmation', endpoint: 'ops@example.com' }],
    });
    cloudWatch.put({ name: 'Pending-Collector-LambdaErrors-8H', actions: [topic] });
    cloudFormation.put({
      ...collectorStack('Pending-Collector', { CollectorUrl: collector.url }),
      resources: ['Pending-Collector-LambdaErrors-8H', 'Pending-Collector-Deleted-9J'].map((physicalId) => ({
        type: 'AWS::CloudWatch::Alarm',
        physicalId,
      })),
    });

    // Act
    const steps = await verify({ stack: 'Pending-Collector' });

    // Assess
    expect(stepOf(steps, 'alarm-topic')).toMatchObject({
      status: 'failed',
      errorCode: 'NoConfirmedSubscription',
      errorMessage: expect.stringContaining('ops@example.com'),
    });
    expect(stepOf(steps, 'alarms')).toMatchObject({
      status: 'failed',
      errorCode: 'AlarmMissing',
      errorMessage: expect.stringContaining('Pending-Collector-Deleted-9J'),
    });
  });

  it('runs as npm run verify-deployment against local mode, and prints the steps local mode cannot answer as not checked', async () => {
    // Act: only CloudFormation and Secrets Manager have stand-ins here.
    const run = await runNpmScript(
      'verify-deployment',
      ['--stack', 'Verify-Collector', '--endpoint', kinesis.endpoint],
      {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      },
    );

    // Assess
    expect(run).toMatchObject({ code: 0 });
    const lines = run.output.split('\n');
    expect(lines.find((line) => line.includes('have their outputs'))).toMatch(/^ {2}ok /);
    expect(lines.find((line) => line.includes('a test event sent to'))).toMatch(
      /^ {2}ok .*context\.kinesis_event_forwarder\.test/,
    );
    expect(lines.find((line) => line.includes('failed-events stream takes'))).toMatch(/^ {2}ok /);
    expect(lines.find((line) => line.includes('alarm topic'))).toMatch(/^ {2}not checked .*no sns stand-in/);
    expect(lines.find((line) => line.includes('every alarm'))).toMatch(
      /^ {2}not checked .*no cloudwatch stand-in/,
    );
    expect(lines.find((line) => line.includes("writer role's trust"))).toMatch(
      /^ {2}not checked .*no iam stand-in/,
    );
    expect(run.output).toContain('OK: stack "Verify-Collector" passed 3 of 6 checks (3 not checked');
  });
});

describe('verify-deployment policy checks and command line', () => {
  it('finds the collector role in a trust by exact ARN or by an ArnLike pattern, and not in another path', () => {
    expect(trustNaming(trustOf(COLLECTOR_ROLE), COLLECTOR_ROLE)).toContain(
      `aws:PrincipalArn ${COLLECTOR_ROLE}`,
    );
    const exact = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: [COLLECTOR_ROLE] }, Action: ['sts:AssumeRole'] }],
    });
    expect(trustNaming(exact, COLLECTOR_ROLE)).toBe('names it as its principal');
    expect(
      trustNaming(trustOf(`arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/Other/*`), COLLECTOR_ROLE),
    ).toBe(undefined);
    expect(
      trustNaming(trustOf(`arn:aws:iam::111111111111:role/kinesis-event-forwarder/*`), COLLECTOR_ROLE),
    ).toBe(undefined);
  });

  it("accepts SNS's default policy within the account and refuses an unconditional deny", () => {
    const defaultPolicy = topicPolicyOf({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['SNS:GetTopicAttributes', 'SNS:Publish'],
      Resource: TOPIC,
      Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
    });
    expect(cloudWatchPublishing(defaultPolicy, TOPIC)).toEqual({
      allowed: true,
      how: 'sns:Publish allowed to every principal when AWS:SourceOwner match',
    });
    const denied = topicPolicyOf(CLOUDWATCH_MAY_PUBLISH, { ...TLS_ONLY, Condition: undefined });
    expect(cloudWatchPublishing(denied, TOPIC).allowed).toBe(false);
    expect(cloudWatchPublishing(undefined, TOPIC)).toEqual({
      allowed: false,
      how: 'the topic has no access policy',
    });
  });

  it('reads the stream stack <prefix>-Stream next to <prefix>-Collector unless --stream names the stream, and leaves the region to the SDK when none is given', () => {
    expect(
      parseVerifyArgs(['--stack', 'KinesisEventForwarder-Collector', '--region', 'eu-west-1'], {}),
    ).toMatchObject({
      target: { streamStack: { name: 'KinesisEventForwarder-Stream', defaulted: true } },
      connection: { region: 'eu-west-1' },
    });
    const crossAccount = parseVerifyArgs(
      ['--stack', 'A-Collector', '--stream', 's', '--failed-stream', 's-failed', '--role-arn', WRITER_ROLE],
      { AWS_REGION: 'eu-west-1' },
    );
    expect(crossAccount).toMatchObject({
      target: { streamName: 's', failedStreamName: 's-failed' },
      connection: { roleArn: WRITER_ROLE },
    });
    expect(crossAccount !== 'help' && crossAccount.target.streamStack).toBe(undefined);
    expect(() => parseVerifyArgs(['--region', 'eu-west-1'], {})).toThrow(VerifyUsageError);
    const noRegion = parseVerifyArgs(['--stack', 'A-Collector'], {});
    expect(noRegion !== 'help' && 'region' in noRegion.connection).toBe(false);
  });
});
