import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { CONCURRENCY_WARNING_ID, KinesisEventForwarder, type KinesisEventForwarderProps } from '../../lib';
import { DOCUMENT_FILE } from '../../lib/constructs/collector-function';
import { cdkJsonContext } from './support/test-app';

/** An existing stream in the consumer's account, by ARN. */
const EXISTING_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream';
const BOUNDARY_ARN = 'arn:aws:iam::123456789012:policy/team-boundary';

/**
 * A consumer's app: cdk.json's feature flags, bundling skipped, and context keys of its own that
 * `bin/app.ts` would call typos (the construct reads no context, so they change nothing).
 */
function consumerApp(): App {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      stage: 'prod',
      externalIds: 'from-context-never-read',
    },
  });
  Validations.of(app).acknowledge({
    id: `Annotation::${CONCURRENCY_WARNING_ID}`,
    reason: 'The default stage rate limit without reserved concurrency; the warning has its own tests.',
  });
  return app;
}

/** The writer role's properties: the role under the `Stream` scope. */
function writerRole(template: Template) {
  const roles = template.findResources('AWS::IAM::Role');
  const id = Object.keys(roles).find((logicalId) => logicalId.startsWith('EventsStreamWriterRole'));
  if (id === undefined) throw new Error('no writer role under Events/Stream');
  return roles[id]?.Properties;
}

function forwarderStack(props: KinesisEventForwarderProps, env?: { account: string; region: string }) {
  const app = consumerApp();
  iam.PermissionsBoundary.of(app).apply(
    iam.ManagedPolicy.fromManagedPolicyArn(app, 'Boundary', BOUNDARY_ARN),
  );
  const stack = new Stack(app, 'Consumer', env === undefined ? {} : { env });
  const forwarder = new KinesisEventForwarder(stack, 'Events', props);
  return { app, stack, forwarder, template: Template.fromStack(stack) };
}

describe('KinesisEventForwarder with a new stream, in an environment-agnostic stack', () => {
  const { forwarder, template } = forwarderStack({ externalIds: ['consumer-external-id'] });

  it('creates the stream and the failed-events stream under its Stream scope', () => {
    const streams = template.findResources('AWS::Kinesis::Stream');
    expect(Object.keys(streams)).toHaveLength(2);
    expect(Object.keys(streams).every((id) => id.startsWith('EventsStream'))).toBe(true);
    expect(forwarder.failedStream).toBeDefined();
  });

  it('lets the writer role be assumed only with the external ID, by the roles under its own path', () => {
    const [statement] = writerRole(template).AssumeRolePolicyDocument.Statement;
    expect(statement.Condition.StringEquals).toEqual({ 'sts:ExternalId': 'consumer-external-id' });
    expect(JSON.stringify(statement.Condition.ArnLike)).toContain(
      ':role/kinesis-event-forwarder/ConsumerEvents',
    );
  });

  it('puts the permissions boundary on every role it creates', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const role of roles) expect(role.Properties.PermissionsBoundary).toBe(BOUNDARY_ARN);
  });
});

describe('KinesisEventForwarder with an existing stream, in a stack with an explicit env', () => {
  const existing = (stack: Stack) => kinesis.Stream.fromStreamArn(stack, 'Existing', EXISTING_ARN);
  const app = consumerApp();
  const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
  const forwarder = new KinesisEventForwarder(stack, 'Events', {
    externalIds: ['consumer-external-id'],
    stream: existing(stack),
  });
  const template = Template.fromStack(stack);

  it('creates no stream and no failed-events stream', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 0);
    expect(forwarder.failedStream).toBeUndefined();
    expect(forwarder.stream.streamArn).toBe(EXISTING_ARN);
  });

  it("names exactly the existing stream in the writer role's policy", () => {
    const statements = writerRole(template).Policies.flatMap(
      (policy: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }) =>
        policy.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: EXISTING_ARN,
      }),
    ]);
  });
});

describe('KinesisEventForwarder with archive on an existing stream', () => {
  const app = consumerApp();
  const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
  const forwarder = new KinesisEventForwarder(stack, 'Events', {
    externalIds: ['consumer-external-id'],
    stream: kinesis.Stream.fromStreamArn(stack, 'Existing', EXISTING_ARN),
    archive: true,
    archiveTransitionDays: 60,
  });
  const template = Template.fromStack(stack);

  it('archives the stream the consumer has, and only it, into its own retained bucket', () => {
    expect(forwarder.archive).toBeDefined();
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: EXISTING_ARN },
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 60 }] }),
          ]),
        },
      },
    });
  });
});

describe('KinesisEventForwarder props', () => {
  const stack = () => new Stack(consumerApp(), 'Consumer');

  it('refuses the props of a new stream next to an existing one, naming them', () => {
    const s = stack();
    expect(
      () =>
        new KinesisEventForwarder(s, 'Events', {
          externalIds: ['a-1'],
          stream: kinesis.Stream.fromStreamArn(s, 'Existing', EXISTING_ARN),
          streamMode: 'PROVISIONED',
          retentionHours: 48,
        }),
    ).toThrow('KinesisEventForwarder: streamMode, retentionHours shape a new stream; remove them');
  });

  it('names the prop and the fix when a value is wrong, as the context keys do', () => {
    expect(() => new KinesisEventForwarder(stack(), 'Events', { externalIds: [] })).toThrow(
      /invalid props[\s\S]*externalIds: required/,
    );
    expect(
      () =>
        new KinesisEventForwarder(stack(), 'Events', {
          externalIds: ['a-1'],
          streamMode: 'PROVISIONED',
          shardCount: 0,
        }),
    ).toThrow(/shardCount: "0" is not valid; use a whole number from 1 to 10000/);
  });

  it('deploys a configuration document given as an object, bound to its stream', () => {
    const s = stack();
    new KinesisEventForwarder(s, 'Events', {
      externalIds: ['a-1'],
      collectorConfig: {
        sources: [{ id: 'web', destinations: ['events'] }],
        destinations: [{ id: 'events', streamName: 'bound-at-synth', region: 'eu-west-1' }],
      },
    });
    const fn = Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function')).find(
      (resource) => resource.Properties.Environment?.Variables?.COLLECTOR_CONFIG_FILE === DOCUMENT_FILE,
    );
    expect(fn?.Properties.Environment.Variables.COLLECTOR_DESTINATIONS).toBeDefined();
  });
});
