import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { collectorRolePath } from './collector-role-path';
import { CONTEXT_DEFAULTS, type CollectorDeployConfig } from './config';
import { AlarmTopic } from './constructs/alarm-topic';
import { CollectorAlarms } from './constructs/collector-alarms';
import { CollectorDashboard } from './constructs/collector-dashboard';
import { CollectorFunction } from './constructs/collector-function';
import { IngestApi } from './constructs/ingest-api';
import { SpillQueue } from './constructs/spill-queue';
import { WriteKeysSecret } from './constructs/write-keys-secret';

/** The stream the collector writes to, and the role and external ID it writes with. */
export interface WriterTarget {
  readonly writerRoleArn: string;
  readonly streamName: string;
  readonly region: string;
  readonly externalId: string;
}

export interface CollectorStackProps extends StackProps {
  readonly config: CollectorDeployConfig;
  readonly target: WriterTarget;
  /**
   * IAM path of the collector's role: the writer role and the spill queues trust the roles under it
   * (lib/collector-role-path.ts).
   * @default - the path of the default stack prefix, `/kinesis-event-forwarder/KinesisEventForwarder/`
   */
  readonly rolePath?: string;
}

/** The public side: the HTTP API, the collector Lambda, its write keys and its spill queue. */
export class CollectorStack extends Stack {
  readonly api: IngestApi;
  readonly collector: CollectorFunction;
  readonly writeKeys: WriteKeysSecret;
  readonly spill: SpillQueue;
  readonly alarms: CollectorAlarms;
  readonly dashboard: CollectorDashboard;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { config, target } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const corsMaxAge = Duration.seconds(config.corsMaxAgeSeconds);

    this.writeKeys = new WriteKeysSecret(this, 'WriteKeys', { sourceId: config.sourceId });
    this.spill = new SpillQueue(this, 'Spill');
    this.collector = new CollectorFunction(this, 'Collector', {
      sources: [
        { id: config.sourceId, destinationIds: [config.destinationId], partitionKey: config.partitionKey },
      ],
      destinations: [
        {
          id: config.destinationId,
          streamName: target.streamName,
          region: target.region,
          roleArn: target.writerRoleArn,
          externalId: target.externalId,
        },
      ],
      writeKeysSecret: this.writeKeys.secret,
      spillQueue: this.spill.queue,
      allowedOrigins: config.allowedOrigins,
      corsMaxAge,
      memorySize: config.memorySize,
      timeout: Duration.seconds(config.timeoutSeconds),
      tracing: config.tracing,
      logLevel: config.logLevel,
      logRetention,
      rolePath: props.rolePath ?? collectorRolePath(CONTEXT_DEFAULTS.stackPrefix),
    });
    this.api = new IngestApi(this, 'Ingest', {
      handler: this.collector.function,
      allowedOrigins: config.allowedOrigins,
      corsMaxAge,
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      accessLogRetention: logRetention,
    });
    const notifications = config.alarms.notifications;
    this.alarms = new CollectorAlarms(this, 'Alarms', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      ...(notifications === undefined
        ? {}
        : { action: new AlarmTopic(this, 'AlarmTopic', { notifications }).action }),
    });
    this.dashboard = new CollectorDashboard(this, 'Dashboard', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      alarms: this.alarms.alarms,
      stream: {
        streamName: target.streamName,
        region: target.region,
        // The stream's account (from its ARN) when it is not this stack's.
        ...(config.destination === undefined ? {} : { account: config.destination.streamArn.split(':')[4] }),
      },
    });

    new CfnOutput(this, 'CollectorUrl', {
      value: this.api.url,
      description: 'Point analytics SDKs here (apiHost / dataPlaneUrl)',
    });
    new CfnOutput(this, 'CollectorRoleArn', {
      value: this.collector.role.roleArn,
      description:
        "The collector function's role: the stream owner may pin the writer role's trust to it (-c collectorRoleArn=...)",
    });
    new CfnOutput(this, 'WriteKeysSecretArn', {
      value: this.writeKeys.secret.secretArn,
      description: 'Secrets Manager secret holding the write keys: {"<sourceId>": "<key>"}',
    });
    new CfnOutput(this, 'SpillQueueUrl', {
      value: this.spill.queue.queueUrl,
      description:
        'SQS queue of events the stream refused after the retry budget: npm run redrive -- --queue-url <this>',
    });
    new CfnOutput(this, 'SpillDeadLetterQueueUrl', {
      value: this.spill.deadLetterQueue.queueUrl,
      description: 'Spilled events the redrive could not write 5 times; inspect them, then redrive from here',
    });
  }
}
