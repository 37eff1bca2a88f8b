import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';
import { RUNBOOK, RUNBOOK_ANCHORS } from '../../lib/constructs/alarm-runbook';
import { collectorTemplate, streamTemplate } from '../support/synth-cache';
import { ARCHIVED_STREAM_CONTEXT } from './support/archive-context';
import { alarmLinking, alarmsOf, dashboardBody } from './support/template-assertions';
import { buildTestApp, PROJECT_ROOT } from './support/test-app';

/** The default topology, with the external ID of other files' synth of it (test/support/synth-cache.ts). */
const SAME_ACCOUNT = { externalIds: 'ext-one' };
const CROSS_ACCOUNT = {
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
  externalId: 'source-a-1f3e',
};
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:ops-alarms';

/** The alarm whose description links this runbook section. */
const alarmFor = (template: Template, anchor: string) => alarmLinking(template, `${RUNBOOK}#${anchor}`);

/** GitHub's anchor of a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('CloudWatch alarms', () => {
  const collector = collectorTemplate(SAME_ACCOUNT);
  const stream = streamTemplate(SAME_ACCOUNT);

  it('alarms on stream write throttles sustained for three 5-minute periods in the stream stack', () => {
    expect(alarmFor(stream, RUNBOOK_ANCHORS.streamWriteThrottles)).toMatchObject({
      Namespace: 'AWS/Kinesis',
      MetricName: 'WriteProvisionedThroughputExceeded',
      Dimensions: [{ Name: 'StreamName', Value: { Ref: expect.stringMatching(/^EventsStream/) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['ThrottledRecords', RUNBOOK_ANCHORS.throttledRecords, 1, 3],
    ['EventsUndelivered', RUNBOOK_ANCHORS.eventsUndelivered, 1, 1],
    ['PixelEventsLost', RUNBOOK_ANCHORS.pixelEventsLost, 1, 1],
  ])(
    'alarms on the collector metric %s by its service dimension',
    (metricName, anchor, threshold, periods) => {
      expect(alarmFor(collector, anchor)).toMatchObject({
        Namespace: 'KinesisEventForwarder',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'kinesis-event-forwarder' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: periods,
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('alarms on DeliveryErrors of every errorCode with a Metrics Insights query', () => {
    expect(alarmFor(collector, RUNBOOK_ANCHORS.deliveryErrors)).toMatchObject({
      Metrics: [
        {
          Expression:
            'SELECT SUM(DeliveryErrors) FROM SCHEMA("KinesisEventForwarder", errorCode, service) WHERE service = \'kinesis-event-forwarder\'',
          Period: 300,
          ReturnData: true,
        },
      ],
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['Errors', RUNBOOK_ANCHORS.lambdaErrors, 5],
    ['Throttles', RUNBOOK_ANCHORS.lambdaThrottles, 1],
  ])('alarms on the collector Lambda %s', (metricName, anchor, threshold) => {
    expect(alarmFor(collector, anchor)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^CollectorFunction/) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: threshold,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when 5% of the HTTP API stage requests answer 5xx for 10 minutes', () => {
    const stageDimensions = [
      { Name: 'ApiId', Value: { Ref: expect.stringMatching(/^IngestApi/) } },
      { Name: 'Stage', Value: '$default' },
    ];
    expect(alarmFor(collector, RUNBOOK_ANCHORS.api5xx)).toMatchObject({
      Metrics: [
        { Expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)', ReturnData: true },
        {
          Id: 'serverErrors',
          MetricStat: {
            Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: stageDimensions },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'requests',
          MetricStat: {
            Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: stageDimensions },
            Stat: 'Sum',
          },
        },
      ],
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  it.each([
    [RUNBOOK_ANCHORS.spillQueue, /^SpillQueue/],
    [RUNBOOK_ANCHORS.spillDeadLetters, /^SpillDeadLetters/],
  ])('alarms as soon as a message is visible in the queue of %s', (anchor, queue) => {
    expect(alarmFor(collector, anchor)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(queue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no iterator-age alarm and no actions unless configured', () => {
    expect(alarmsOf(stream)).toHaveLength(1);
    expect(alarmsOf(collector)).toHaveLength(9);
    for (const alarm of [...alarmsOf(stream), ...alarmsOf(collector)]) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
    collector.resourceCountIs('AWS::SNS::Topic', 0);
    stream.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('alarms on GetRecords iterator age over the configured seconds, treating silence as breaching', () => {
    const template = streamTemplate({ ...SAME_ACCOUNT, iteratorAgeAlarmSeconds: '900' });

    expect(alarmFor(template, RUNBOOK_ANCHORS.iteratorAge)).toMatchObject({
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Statistic: 'Maximum',
      Threshold: 900_000,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('creates a TLS-only topic per stack with the alarmEmail subscribed, told of ALARM and OK', () => {
    const withEmail = { ...SAME_ACCOUNT, alarmEmail: 'ops@example.com' };

    for (const template of [collectorTemplate(withEmail), streamTemplate(withEmail)]) {
      const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topic).toBeDefined();
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topic },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      for (const alarm of alarmsOf(template)) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.OKActions).toEqual([{ Ref: topic }]);
      }
    }
  });

  it('sends to an existing alarmTopicArn without creating a topic', () => {
    const template = collectorTemplate({ ...CROSS_ACCOUNT, alarmTopicArn: TOPIC_ARN });

    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(alarmsOf(template)).toHaveLength(9);
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.OKActions).toEqual([TOPIC_ARN]);
    }
  });

  it('links every alarm to a section of the operations runbook that exists', () => {
    const runbook = readFileSync(path.join(PROJECT_ROOT, RUNBOOK), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] as string)),
    );
    // A deployed document with a dedup and suppression source: their alarms exist only then.
    const withAll = {
      ...SAME_ACCOUNT,
      iteratorAgeAlarmSeconds: '600',
      failedRateAlarmPercent: '5',
      collectorConfig: path.join(PROJECT_ROOT, 'test', 'fixtures', 'every-alarm-deploy.json'),
    };
    // The archive's alarms (-c archive=true, one pair per delivery stream) share two sections.
    const archiveAlarms = alarmsOf(streamTemplate(ARCHIVED_STREAM_CONTEXT)).filter(
      (alarm) => alarm.Namespace === 'AWS/Firehose',
    );
    const all = [
      ...alarmsOf(collectorTemplate(withAll)),
      ...alarmsOf(streamTemplate(withAll)),
      ...archiveAlarms,
    ];
    const linked = all.map((alarm) => /#([\w-]+)$/.exec(String(alarm.AlarmDescription))?.[1]);

    expect(all).toHaveLength(Object.keys(RUNBOOK_ANCHORS).length + archiveAlarms.length / 2);
    expect(new Set(linked)).toEqual(new Set(Object.values(RUNBOOK_ANCHORS)));
    for (const anchor of linked) expect(anchors).toContain(anchor);
  });
});

describe('the collector dashboard', () => {
  it('graphs ingest, delivery, Lambda, API and stream metrics', () => {
    const body = dashboardBody(collectorTemplate(SAME_ACCOUNT));

    for (const metricName of [
      'EventsAccepted',
      'EventsFiltered',
      'EventsUndelivered',
      'PixelEventsLost',
      'RateLimitedRequests',
      'RequestBytes',
      'PutRecordsCalls',
      'PutRecordsRetries',
      'ThrottledRecords',
      'PutRecordsLatency',
      'AssumeRoleCalls',
      'SpilledEvents',
      'Duration',
      'Errors',
      'Throttles',
      'ConcurrentExecutions',
      'Count',
      '4xx',
      '5xx',
      'Latency',
      'IncomingRecords',
      'IncomingBytes',
      'WriteProvisionedThroughputExceeded',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(`\\"${metricName}\\"`);
    }
    for (const namespace of [
      'KinesisEventForwarder',
      'AWS/Lambda',
      'AWS/ApiGateway',
      'AWS/Kinesis',
      'AWS/SQS',
    ]) {
      expect(body).toContain(namespace);
    }
    for (const [metricName, dimension] of [
      ['EventsRejected', 'reason'],
      ['DeliveryErrors', 'errorCode'],
    ]) {
      expect(body).toMatch(
        new RegExp(
          `SEARCH\\('\\{KinesisEventForwarder,${dimension},service\\} MetricName=.{1,8}${metricName}`,
        ),
      );
    }
    expect(body).toContain('\\"stat\\":\\"p99\\"');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });

  it("reads the stream's metrics in the stream's account and region when it lives elsewhere", () => {
    const body = dashboardBody(collectorTemplate(CROSS_ACCOUNT));

    expect(body).toMatch(/\\"AWS\/Kinesis\\",\\"IncomingRecords\\",\\"StreamName\\",\\"events\\"/);
    expect(body).toContain('\\"accountId\\":\\"222222222222\\"');
    expect(body).toContain('\\"region\\":\\"eu-west-1\\"');
  });
});

describe('alarm context keys', () => {
  function problemsOf(context: Record<string, unknown>): readonly string[] {
    try {
      readDeployConfig((key) => context[key]);
    } catch (error) {
      if (error instanceof InvalidDeployConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected the context to be rejected');
  }

  it('reads alarmEmail and alarmTopicArn into both stacks and iteratorAgeAlarmSeconds into the stream stack', () => {
    const email = readDeployConfig((key) => ({ ...SAME_ACCOUNT, alarmEmail: 'ops@example.com' })[key]);
    const topic = readDeployConfig(
      (key) => ({ ...SAME_ACCOUNT, alarmTopicArn: TOPIC_ARN, iteratorAgeAlarmSeconds: '3600' })[key],
    );

    expect(email.stream?.alarms).toEqual({ notifications: { kind: 'email', email: 'ops@example.com' } });
    expect(email.collector?.alarms).toEqual(email.stream?.alarms);
    expect(topic.collector?.alarms).toEqual({ notifications: { kind: 'topic', topicArn: TOPIC_ARN } });
    expect(topic.stream?.iteratorAgeAlarmSeconds).toBe(3600);
  });

  it.each([
    [{ alarmEmail: 'ops.example.com' }, /^alarmEmail: "ops.example.com" is not an email address/],
    [{ alarmTopicArn: 'ops-alarms' }, /^alarmTopicArn: "ops-alarms" is not an SNS topic ARN/],
    [
      { alarmEmail: 'ops@example.com', alarmTopicArn: TOPIC_ARN },
      /^alarmEmail and alarmTopicArn: set one of them/,
    ],
    [
      { iteratorAgeAlarmSeconds: '10' },
      /^iteratorAgeAlarmSeconds: "10" is not valid; use a whole number from 60/,
    ],
    [{ iteratorAgeAlarmSeconds: 'soon' }, /^iteratorAgeAlarmSeconds: "soon" is not valid/],
  ])('rejects %j with a message naming the key', (context, message) => {
    expect(problemsOf({ ...SAME_ACCOUNT, ...context })).toEqual([expect.stringMatching(message)]);
  });

  it('rejects iteratorAgeAlarmSeconds for the collector stack alone, whose account has no stream metrics', () => {
    expect(problemsOf({ ...CROSS_ACCOUNT, iteratorAgeAlarmSeconds: '600' })).toEqual([
      expect.stringMatching(/^iteratorAgeAlarmSeconds: only used by the stream stack/),
    ]);
  });
});

describe('cdk-nag with alarm notifications', () => {
  it.each([
    [
      'a new topic for alarmEmail',
      { ...SAME_ACCOUNT, alarmEmail: 'ops@example.com', iteratorAgeAlarmSeconds: '600' },
    ],
    ['an existing alarmTopicArn', { ...CROSS_ACCOUNT, alarmTopicArn: TOPIC_ARN }],
  ])('reports no unacknowledged finding with %s', (_, context) => {
    const { app } = buildTestApp(context);

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations).toEqual([]);
  });
});
