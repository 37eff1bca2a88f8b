import type { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CollectorDashboard, type DashboardStream } from '../../../lib/constructs/collector-dashboard';
import { dashboardBody, minimalHttpStage, templateWith } from '../support/template-assertions';

/** An existing function, by a literal ARN, so its name appears in metric dimensions as it is. */
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:collector';

interface Options {
  readonly spill?: boolean;
  readonly stream?: DashboardStream;
  readonly alarm?: boolean;
}

/** The dashboard on a bare stack, for an imported function and a minimal HTTP API stage. */
const dashboardTemplate = (options: Options = {}): Template =>
  templateWith((stack) => {
    const { stage } = minimalHttpStage(stack);
    const fn = lambda.Function.fromFunctionArn(stack, 'Collector', FUNCTION_ARN);
    new CollectorDashboard(stack, 'Dashboard', {
      function: fn,
      stage,
      ...(options.spill
        ? {
            spill: {
              queue: new sqs.Queue(stack, 'Spill'),
              deadLetterQueue: new sqs.Queue(stack, 'DeadLetters'),
            },
          }
        : {}),
      ...(options.stream === undefined ? {} : { stream: options.stream }),
      ...(options.alarm
        ? { alarms: [fn.metricErrors().createAlarm(stack, 'Errors', { threshold: 1, evaluationPeriods: 1 })] }
        : {}),
    });
  });

interface Widget {
  readonly properties: { readonly title?: string; readonly metrics?: unknown[] };
}

/** A widget of the dashboard by its title, read from the body CloudWatch receives (tokens as `TOKEN`). */
function widgetTitled(template: Template, title: string): Widget {
  const parts = (JSON.parse(dashboardBody(template)) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
  const widget = widgets.find((candidate) => candidate.properties.title === title);
  if (widget === undefined) throw new Error(`no widget titled ${title}`);
  return widget;
}

describe('CollectorDashboard on its own', () => {
  describe('by default', () => {
    const body = dashboardBody(dashboardTemplate());

    it('graphs the collector, API and Lambda metrics of the function and stage given', () => {
      for (const metricName of [
        'EventsAccepted',
        'PixelEventsLost',
        'RateLimitedRequests',
        'PutRecordsLatency',
        'SpilledEvents',
        'Duration',
        '5xx',
      ]) {
        expect(body).toContain(`\\"${metricName}\\"`);
      }
      expect(body).toContain('\\"FunctionName\\",\\"collector\\"');
    });

    it('graphs the events kept in the failed-events stream by code, with their total', () => {
      const widget = widgetTitled(
        dashboardTemplate(),
        'Failed events (kept in the failed-events stream), by code',
      );

      expect(widget.properties.metrics).toEqual([
        [
          {
            expression:
              'SEARCH(\'{KinesisEventForwarder,code,service} MetricName="FailedEvents" service="kinesis-event-forwarder"\', \'Sum\', 60)',
            period: 60,
          },
        ],
        [
          'KinesisEventForwarder',
          'FailedEvents',
          'service',
          'kinesis-event-forwarder',
          { label: 'FailedEvents', period: 60, stat: 'Sum', yAxis: 'right' },
        ],
      ]);
    });

    it('has no alarm status widget', () => {
      expect(body).not.toContain('\\"type\\":\\"alarm\\"');
    });

    it('has no stream row', () => {
      expect(body).not.toContain('AWS/Kinesis');
    });

    it('graphs no spill queue depth', () => {
      expect(body).not.toContain('ApproximateNumberOfMessagesVisible');
    });
  });

  describe('overridden', () => {
    it('shows the state of the alarms given at the top', () => {
      const body = dashboardBody(dashboardTemplate({ alarm: true }));

      expect(body).toMatch(/\\"type\\":\\"alarm\\".*\\"title\\":\\"Alarms\\"/);
    });

    it("graphs the stream given in the dashboard's own account and region when it names neither", () => {
      const body = dashboardBody(dashboardTemplate({ stream: { streamName: 'events' } }));

      expect(body).toMatch(/\\"AWS\/Kinesis\\",\\"IncomingRecords\\",\\"StreamName\\",\\"events\\"/);
      expect(body).not.toContain('accountId');
    });

    it('graphs the stream given in its own account and region', () => {
      const body = dashboardBody(
        dashboardTemplate({ stream: { streamName: 'events', account: '222222222222', region: 'eu-west-1' } }),
      );

      expect(body).toContain('\\"accountId\\":\\"222222222222\\"');
      expect(body).toContain('\\"region\\":\\"eu-west-1\\"');
    });

    it('graphs the depth of both spill queues given', () => {
      const body = dashboardBody(dashboardTemplate({ spill: true }));

      expect(body).toContain('\\"label\\":\\"spill queue\\"');
      expect(body).toContain('\\"label\\":\\"spill dead letters\\"');
    });
  });
});
