import { Names, Stack, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RuntimeConfigInput } from '../lambda/config/runtime-config';
import { documentDestinations } from './add-stacks';
import { collectorRolePath } from './collector-role-path';
import { CollectorSide } from './collector-side';
import { InvalidDeployConfigError, readDeployConfig } from './config';
import type { EventArchive } from './constructs/event-archive';
import { StreamSide } from './stream-side';

/** Where the collector's custom domain gets its certificate and DNS records. */
export interface ForwarderDomainProps {
  /** The collector's own host name, like `events.example.com`. */
  readonly domainName: string;
  /**
   * The Route 53 zone (id) for the alias records and, without `certificateArn`, for validating a new
   * certificate; give it with `hostedZoneName`.
   * @default - no zone: give `certificateArn` and point a CNAME at the domain target yourself
   */
  readonly hostedZoneId?: string;
  /**
   * The zone's name, like `example.com`; give it with `hostedZoneId`.
   * @default - no zone
   */
  readonly hostedZoneName?: string;
  /**
   * An ACM certificate of the domain in the stack's region.
   * @default - a new certificate, validated by DNS in the zone
   */
  readonly certificateArn?: string;
  /**
   * Who reaches the domain: IPv4 and IPv6 (`dualstack`, `A` and `AAAA` records) or IPv4 only.
   * @default 'dualstack'
   */
  readonly ipAddressType?: 'dualstack' | 'ipv4';
  /**
   * Only the custom domain answers: the generated `execute-api` URL is turned off.
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/**
 * Props of {@link KinesisEventForwarder}. Each has the name of the `bin/app.ts` context key that
 * sets it (docs/deploying.md), the same default and the same validation: a wrong value fails the
 * constructor with a message naming the prop and the fix.
 */
export interface KinesisEventForwarderProps {
  /**
   * External IDs the writer role accepts (at least one); the collector writes with the first.
   * Use a random value per deployment, like a UUID.
   */
  readonly externalIds: readonly string[];
  /**
   * A Kinesis stream you already have, to write events into: no stream, no failed-events stream and
   * no stream key are created, and the writer role may put records into exactly this stream (and,
   * when the stream object names its `encryptionKey`, use that key through Kinesis only; a stream
   * imported by ARN alone with a customer-managed key needs `Stream.fromStreamAttributes` with
   * `encryptionKey`). Refused events are then only answered and counted (no failed-events stream).
   * `streamMode`, `shardCount`, `retentionHours` and `streamEncryption` shape a new stream and are
   * refused with it.
   * @default - a new stream (and a failed-events stream next to it)
   */
  readonly stream?: kinesis.IStream;
  /**
   * Capacity mode of the new stream.
   * @default 'ON_DEMAND'
   */
  readonly streamMode?: 'ON_DEMAND' | 'PROVISIONED';
  /**
   * Shards of the new stream, with `streamMode` `PROVISIONED` only (1 MB/s or 1,000 records/s of
   * writes each).
   * @default 1
   */
  readonly shardCount?: number;
  /**
   * How long the new stream keeps records, in hours (24 to 8,760).
   * @default 24
   */
  readonly retentionHours?: number;
  /**
   * The new stream's encryption: the AWS-managed `aws/kinesis` key, or a new customer-managed key
   * (yearly rotation) the failed-events stream shares.
   * @default 'AWS_MANAGED'
   */
  readonly streamEncryption?: 'AWS_MANAGED' | 'CUSTOMER_MANAGED';
  /**
   * Create a failed-events stream next to the new stream: refused events are kept there with their
   * reason (docs/data-quality.md). Not available with `stream`.
   * @default - true with a new stream, false with `stream`
   */
  readonly failedEventsStream?: boolean;
  /**
   * Alarm when the stream's consumers fall behind by this many seconds.
   * @default - no iterator-age alarm
   */
  readonly iteratorAgeAlarmSeconds?: number;
  /**
   * Archive the event stream (and the failed-events stream) to a retained S3 bucket through Amazon
   * Data Firehose, with Glue tables for Athena and freshness alarms (docs/archive.md). Works with
   * `stream` too: the archive reads the stream you have.
   * @default false
   */
  readonly archive?: boolean;
  /**
   * With `archive`: days before archive objects move to S3 Standard-IA (30 or more).
   * @default 30
   */
  readonly archiveTransitionDays?: number;
  /**
   * With `archive`: days before archive objects are deleted.
   * @default - never
   */
  readonly archiveExpirationDays?: number;
  /**
   * With `archive`: Firehose writes an object after this many seconds (0-900) ...
   * @default 300
   */
  readonly archiveBufferSeconds?: number;
  /**
   * ... or this many MiB before compression (1-128), whichever comes first.
   * @default 64
   */
  readonly archiveBufferMb?: number;
  /**
   * With `archive`: what the event stream holds, `envelope` (under `events/`, Glue table `events`)
   * or `segment` (a destination with `recordFormat: segment`; under `segment/`, no table).
   * @default 'envelope'
   */
  readonly archiveRecordFormat?: 'envelope' | 'segment';
  /**
   * The source id of the one source (without `collectorConfig`); its write key is generated into
   * the write-keys secret at deploy time.
   * @default 'default'
   */
  readonly sourceId?: string;
  /**
   * The destination id (`integration_id` in every envelope).
   * @default 'kinesis'
   */
  readonly destinationId?: string;
  /**
   * The partition key: the user (`userId || anonymousId`) or the event (`messageId`).
   * @default 'user'
   */
  readonly partitionKey?: 'user' | 'event_id';
  /**
   * Origins allowed to call the collector from a browser (`https://*` allows every HTTPS site).
   * @default ['*']
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * How long browsers may cache a CORS preflight, in seconds.
   * @default 7200
   */
  readonly corsMaxAgeSeconds?: number;
  /**
   * The API stage's steady request rate limit (requests per second).
   * @default 1000
   */
  readonly throttlingRateLimit?: number;
  /**
   * The API stage's burst limit (requests).
   * @default 2000
   */
  readonly throttlingBurstLimit?: number;
  /**
   * The collector function's memory in MB.
   * @default 256
   */
  readonly lambdaMemoryMb?: number;
  /**
   * The collector function's timeout in seconds.
   * @default 10
   */
  readonly lambdaTimeoutSeconds?: number;
  /**
   * Active X-Ray tracing of the collector function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * The collector's log level (`POWERTOOLS_LOG_LEVEL`); logs never hold payloads or secrets.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Retention of the function's and the API's log groups, in days (a CloudWatch Logs retention).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Executions reserved for (and capping) the collector function.
   * @default - none: the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Keep the write-keys secret when the stack is deleted or stops defining it.
   * @default true
   */
  readonly retainWriteKeys?: boolean;
  /**
   * Keep the spill queues (and their key) when the stack is deleted or replaces them.
   * @default true
   */
  readonly retainSpillQueues?: boolean;
  /**
   * Encryption of the spill queues: SQS-managed, or a new customer-managed key.
   * @default 'SQS_MANAGED'
   */
  readonly spillEncryption?: 'SQS_MANAGED' | 'CUSTOMER_MANAGED';
  /**
   * Roles besides the collector's own that may read the spill queues (the redrive's).
   * @default - none
   */
  readonly redriveRoleArns?: readonly string[];
  /**
   * Put the client's address in the API access log.
   * @default false
   */
  readonly accessLogSourceIp?: boolean;
  /**
   * Alarm when more than this percentage of events went to the failed-events stream.
   * @default - no such alarm
   */
  readonly failedRateAlarmPercent?: number;
  /**
   * Send alarm state changes to a new SNS topic per side (stream side, collector side) with this
   * address subscribed; give this or `alarmTopicArn`.
   * @default - alarms change state in CloudWatch only
   */
  readonly alarmEmail?: string;
  /**
   * Send alarm state changes to this existing SNS topic (its policy must let CloudWatch publish).
   * @default - alarms change state in CloudWatch only
   */
  readonly alarmTopicArn?: string;
  /**
   * A KMS key (ARN) that encrypts the alarm topics `alarmEmail` creates.
   * @default - not encrypted at rest
   */
  readonly alarmTopicKeyArn?: string;
  /**
   * The collector's own domain name, its certificate and DNS records.
   * @default - the generated `execute-api` URL only
   */
  readonly customDomain?: ForwarderDomainProps;
  /**
   * The path the collector answers under on the site's own CloudFront distribution, like
   * `/collect` (docs/deploying.md, same-origin path).
   * @default - no same-origin path
   */
  readonly sameOriginPrefix?: string;
  /**
   * A configuration document (docs/configuration.md): the object, or the path of its JSON file
   * (read at synth, relative to where the app runs). Validated with the collector's own schema; its
   * sources, destinations and CORS replace `sourceId`, `destinationId`, `partitionKey`,
   * `allowedOrigins` and `corsMaxAgeSeconds`. Its one destination without `roleArn` is bound to
   * this construct's stream and writer role.
   * @default - one source (`sourceId`) writing to one destination (`destinationId`)
   */
  readonly collectorConfig?: string | RuntimeConfigInput;
}

/** The props a new stream only takes: refused with `stream`. */
const NEW_STREAM_PROPS = ['streamMode', 'shardCount', 'retentionHours', 'streamEncryption'] as const;

/** What `collectorConfig` is called in messages when it is an object. */
const INLINE_DOCUMENT = '<collectorConfig object>';

/**
 * Every prop of {@link KinesisEventForwarderProps}, in the order docs/deploying.md lists them (a
 * test holds that table to this list, and the compiler holds this list to the interface).
 */
export const KINESIS_EVENT_FORWARDER_PROPS = [
  'externalIds',
  'stream',
  'streamMode',
  'shardCount',
  'retentionHours',
  'streamEncryption',
  'failedEventsStream',
  'iteratorAgeAlarmSeconds',
  'archive',
  'archiveTransitionDays',
  'archiveExpirationDays',
  'archiveBufferSeconds',
  'archiveBufferMb',
  'archiveRecordFormat',
  'sourceId',
  'destinationId',
  'partitionKey',
  'allowedOrigins',
  'corsMaxAgeSeconds',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'lambdaMemoryMb',
  'lambdaTimeoutSeconds',
  'tracing',
  'logLevel',
  'logRetentionDays',
  'reservedConcurrency',
  'retainWriteKeys',
  'retainSpillQueues',
  'spillEncryption',
  'redriveRoleArns',
  'accessLogSourceIp',
  'failedRateAlarmPercent',
  'alarmEmail',
  'alarmTopicArn',
  'alarmTopicKeyArn',
  'customDomain',
  'sameOriginPrefix',
  'collectorConfig',
] as const satisfies readonly (keyof KinesisEventForwarderProps)[];

/** Compiles only while {@link KINESIS_EVENT_FORWARDER_PROPS} names every prop. */
const everyPropListed: Exclude<
  keyof KinesisEventForwarderProps,
  (typeof KINESIS_EVENT_FORWARDER_PROPS)[number]
> extends never
  ? true
  : never = true;
void everyPropListed;

/** The keys of {@link ForwarderDomainProps}: the context keys of the custom domain. */
const DOMAIN_PROPS = [
  'domainName',
  'hostedZoneId',
  'hostedZoneName',
  'certificateArn',
  'ipAddressType',
  'disableExecuteApiEndpoint',
] as const satisfies readonly (keyof ForwarderDomainProps)[];

/** Only the listed keys of `object`: a JavaScript caller's other keys never reach the config reader. */
function picked(object: object | undefined, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (object as Record<string, unknown> | undefined)?.[key]]));
}

/** The props as the context lookup of `readDeployConfig` reads them (same keys, same values). */
function contextOf(props: KinesisEventForwarderProps): Record<string, unknown> {
  const { customDomain, collectorConfig, stream } = props;
  const plain = picked(
    props,
    KINESIS_EVENT_FORWARDER_PROPS.filter(
      (key) => !['customDomain', 'collectorConfig', 'stream'].includes(key),
    ),
  );
  const context: Record<string, unknown> = {
    ...plain,
    ...picked(customDomain, DOMAIN_PROPS),
    ...(collectorConfig === undefined
      ? {}
      : { collectorConfig: typeof collectorConfig === 'string' ? collectorConfig : INLINE_DOCUMENT }),
  };
  if (stream !== undefined) context.failedEventsStream = props.failedEventsStream ?? false;
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
}

/**
 * The whole collector in one account, inside your own CDK app: a Kinesis stream (or the one you
 * have), the failed-events stream, the writer role the collector assumes with your external ID,
 * the HTTP API, the collector function, its write keys, spill queues, alarms and dashboard, with
 * the defaults `bin/app.ts` deploys (docs/deploying.md, "Use it in your own CDK app").
 *
 * It composes the two exported sides, each in a child scope: {@link StreamSide} (`Stream`) and
 * {@link CollectorSide} (`Collector`). It reads no CDK context. Every role it creates takes the
 * permissions boundary `iam.PermissionsBoundary.of(scope)` applies; it works in a stack with an
 * explicit `env` and in an environment-agnostic one; its cdk-nag AwsSolutions findings are
 * acknowledged next to the constructs they concern, each with its reason.
 */
export class KinesisEventForwarder extends Construct {
  /** The stream side: stream, failed-events stream, writer role, stream alarms. */
  readonly streamSide: StreamSide;
  /** The collector side: API, function, write keys, spill queues, collector alarms, dashboard. */
  readonly collectorSide: CollectorSide;
  /** Where analytics SDKs send events (`apiHost` / `dataPlaneUrl`): the custom domain's, else the API's. */
  readonly url: string;
  /** The stream events are written to: the new one, or `stream`. */
  readonly stream: kinesis.IStream;
  /** The failed-events stream, when one was created. */
  readonly failedStream?: kinesis.IStream;
  /** The collector function. */
  readonly function: lambda.IFunction;
  /** The role the collector assumes to write the stream. */
  readonly writerRole: iam.IRole;
  /** The topic the collector side's alarms notify, when `alarmEmail` or `alarmTopicArn` is given. */
  readonly alarmTopic?: sns.ITopic;
  /** The topic the stream side's alarms notify, when `alarmEmail` or `alarmTopicArn` is given. */
  readonly streamAlarmTopic?: sns.ITopic;
  /** The S3 archive (bucket, delivery streams, Glue tables), with `archive`. */
  readonly archive?: EventArchive;

  constructor(scope: Construct, id: string, props: KinesisEventForwarderProps) {
    super(scope, id);
    if (props.stream !== undefined) {
      const given = NEW_STREAM_PROPS.filter((key) => props[key] !== undefined);
      if (given.length > 0) {
        throw new Error(
          `KinesisEventForwarder: ${given.join(', ')} shape a new stream; remove ${given.length === 1 ? 'it' : 'them'}, or leave out stream to create one`,
        );
      }
      if (props.failedEventsStream === true) {
        throw new Error(
          'KinesisEventForwarder: failedEventsStream: a failed-events stream is created only next to a new stream; remove it, or leave out stream',
        );
      }
    }
    const stack = Stack.of(this);
    const context = contextOf(props);
    const document = props.collectorConfig;
    let config: ReturnType<typeof readDeployConfig>;
    try {
      config = readDeployConfig((key) => context[key], {
        ...(Token.isUnresolved(stack.region) ? {} : { region: stack.region }),
        ...(document === undefined || typeof document === 'string'
          ? {}
          : { readFile: () => JSON.stringify(document) }),
      });
    } catch (error) {
      if (!(error instanceof InvalidDeployConfigError)) throw error;
      throw new Error(
        `KinesisEventForwarder ${this.node.path}: invalid props (docs/deploying.md, "Use it in your own CDK app"):\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`,
        { cause: error },
      );
    }
    const { stream: streamConfig, collector: collectorConfig } = config;
    if (streamConfig === undefined || collectorConfig === undefined) {
      throw new Error('KinesisEventForwarder: the props describe no same-account deployment');
    }

    // The collector's roles live under an IAM path of this construct's own, so the writer role and
    // the spill queues trust exactly them (by path: a reference would be a cycle).
    const prefix = Names.uniqueId(this);
    this.streamSide = new StreamSide(new Construct(this, 'Stream'), {
      config: streamConfig,
      collectorStackPrefix: prefix,
      ...(props.stream === undefined ? {} : { existingStream: props.stream }),
    });
    const destinations =
      collectorConfig.document === undefined
        ? [this.streamSide.destination(collectorConfig.destinationId)]
        : documentDestinations(collectorConfig.document, this.streamSide);
    const [destination] = destinations;
    if (destination === undefined)
      throw new Error('KinesisEventForwarder: the collector needs a destination');
    this.collectorSide = new CollectorSide(new Construct(this, 'Collector'), {
      config: collectorConfig,
      destination,
      ...(collectorConfig.document === undefined ? {} : { destinations }),
      rolePath: collectorRolePath(prefix),
    });

    this.url = this.collectorSide.domain?.url ?? this.collectorSide.api.url;
    this.stream = this.streamSide.stream;
    if (this.streamSide.failedStream !== undefined) this.failedStream = this.streamSide.failedStream;
    this.function = this.collectorSide.collector.function;
    this.writerRole = this.streamSide.writerRole;
    if (this.collectorSide.alarmTopic !== undefined) this.alarmTopic = this.collectorSide.alarmTopic.topic;
    if (this.streamSide.alarmTopic !== undefined) this.streamAlarmTopic = this.streamSide.alarmTopic.topic;
    if (this.streamSide.archive !== undefined) this.archive = this.streamSide.archive;
  }
}
