import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp } from './support/test-app';

/**
 * Every acknowledgement recorded in the app's stacks: rule id, reason and the construct it sits on.
 * (The test app's own acknowledgement of the concurrency warning sits on the app, outside them.)
 */
function acknowledgements(app: ReturnType<typeof buildTestApp>['app']) {
  const inStacks = app.node.children.flatMap((stack) => stack.node.findAll());
  return inStacks.flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id,
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

describe('the cdk-nag AwsSolutions pack', () => {
  it.each([
    ['the same-account default', { externalIds: 'nag-check-id' }],
    [
      'the archived stream stack with S3-managed encryption',
      { collectorAccountId: '111111111111', externalIds: 'a-1', archive: 'true' },
    ],
    [
      'the stream stack with a customer-managed key, provisioned shards and the archive',
      {
        collectorAccountId: '111111111111',
        externalIds: 'a-1,b-2',
        streamEncryption: 'CUSTOMER_MANAGED',
        streamMode: 'PROVISIONED',
        shardCount: '2',
        archive: 'true',
      },
    ],
    [
      'the same-account deployment with an encrypted alarm topic, a customer-managed spill key and reserved concurrency',
      {
        externalIds: 'nag-check-id',
        alarmEmail: 'ops@example.com',
        alarmTopicKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        spillEncryption: 'CUSTOMER_MANAGED',
        reservedConcurrency: '100',
        redriveRoleArns: 'arn:aws:iam::111111111111:role/operations',
      },
    ],
    [
      'the stream stack pinned to one collector role, with an alarm topic',
      {
        collectorAccountId: '111111111111',
        collectorRoleArn: 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/Prod/Collector-AbC',
        externalIds: 'a-1',
        alarmEmail: 'ops@example.com',
      },
    ],
    [
      'the collector stack alone with tracing on',
      {
        writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
        streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
        externalId: 'a-1',
        tracing: 'true',
      },
    ],
    [
      'a custom domain in a Route 53 zone with the execute-api URL off',
      {
        externalIds: 'nag-check-id',
        domainName: 'events.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
        disableExecuteApiEndpoint: 'true',
      },
    ],
  ])('reports no unacknowledged finding for %s', (_, context) => {
    const { app } = buildTestApp(context);

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives a reason with every acknowledgement', () => {
    const { app } = buildTestApp({
      externalIds: 'nag-check-id',
      tracing: 'true',
      streamEncryption: 'CUSTOMER_MANAGED',
    });

    const acknowledged = acknowledgements(app);

    expect(new Set(acknowledged.map((entry) => entry.id))).toEqual(
      new Set([
        'Annotation::AwsSolutions-KDS3',
        'Annotation::AwsSolutions-SMG4',
        'Annotation::AwsSolutions-APIG4',
        'Annotation::AwsSolutions-IAM5[Resource::*]',
        'Annotation::kinesis-event-forwarder:spill-dlq-redrive-allow-policy',
      ]),
    );
    for (const entry of acknowledged) expect(entry.reason.length).toBeGreaterThan(60);
  });
});
