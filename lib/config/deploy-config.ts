/**
 * The deploy-time configuration of the CDK app, as the stacks receive it: built from CDK context by
 * {@link readDeployConfig} (`read-deploy-config.ts`), validated, defaults applied.
 */
import type { RuntimeConfig, RuntimeConfigInput } from '../../lambda/config/runtime-config';

/** Which stacks this deployment synthesizes. */
export type Topology =
  /** Stream stack and collector stack in one account, wired together. */
  | 'same-account'
  /** The stream stack only, in the account that owns the data; the collector runs in another account. */
  | 'stream-account'
  /** The collector stack only, writing through a writer role that another account created. */
  | 'collector-account';

export type StreamCapacity =
  | { readonly mode: 'on-demand' }
  | { readonly mode: 'provisioned'; readonly shardCount: number };

export type StreamEncryptionChoice = 'aws-managed' | 'customer-managed';

/** Settings of the stream stack (the account that owns the data). */
export interface StreamDeployConfig {
  /** External IDs the writer role accepts, one per collector/source that may assume it. */
  readonly externalIds: readonly string[];
  /** The account whose principals may assume the writer role; `undefined`: this stack's own account. */
  readonly collectorAccountId?: string;
  /**
   * The collector's role (its `CollectorRoleArn` output), the only principal the writer role then
   * trusts; `undefined`: every role under the collector IAM path of the trusted account.
   */
  readonly collectorRoleArn?: string;
  readonly capacity: StreamCapacity;
  readonly retentionHours: number;
  readonly encryption: StreamEncryptionChoice;
  /** Alarm on the stream's consumers falling behind by this many seconds; `undefined`: no such alarm. */
  readonly iteratorAgeAlarmSeconds?: number;
  /**
   * Create the failed-events stream next to the event stream (context key `failedEventsStream`,
   * default true): refused events are kept there with their reason (docs/data-quality.md).
   */
  readonly failedEventsStream: boolean;
  /**
   * Archive the streams to S3 through Firehose, with Glue tables for Athena (context key `archive`,
   * default false; docs/archive.md); `undefined`: no archive.
   */
  readonly archive?: ArchiveDeployConfig;
  readonly alarms: AlarmsDeployConfig;
}

/** Settings of the archive (`-c archive=true`), each from its `archive...` context key. */
export interface ArchiveDeployConfig {
  /** Days before objects move to S3 Standard-IA (`archiveTransitionDays`, at least 30). */
  readonly transitionDays: number;
  /** Days before objects are deleted (`archiveExpirationDays`); `undefined`: kept. */
  readonly expirationDays?: number;
  /** Firehose's buffer interval (`archiveBufferSeconds`, 0-900). */
  readonly bufferSeconds: number;
  /** Firehose's buffer size before compression (`archiveBufferMb`, 1-128 MiB). */
  readonly bufferMb: number;
  /** What the event stream holds (`archiveRecordFormat`): its folder and table follow. */
  readonly recordFormat: 'envelope' | 'segment';
}

/** Where alarm state changes are sent (context keys `alarmEmail` / `alarmTopicArn`). */
export type AlarmNotifications =
  /** A new SNS topic per stack, with this address subscribed (confirm the email AWS sends). */
  | { readonly kind: 'email'; readonly email: string }
  /** An existing SNS topic in the stacks' region. */
  | { readonly kind: 'topic'; readonly topicArn: string };

/** Settings of the CloudWatch alarms both stacks create. */
export interface AlarmsDeployConfig {
  /** `undefined`: the alarms change state in CloudWatch only, nobody is notified. */
  readonly notifications?: AlarmNotifications;
  /** A KMS key that encrypts the alarm topic the stacks create (context key `alarmTopicKeyArn`). */
  readonly topicKeyArn?: string;
}

/**
 * Where the deployed collector writes, and the role and external ID it writes with: the one
 * deploy-time destination type (collector stack and collector function construct). The Lambda
 * receives it as a `RuntimeDestination` (lambda/config/runtime-config.ts, same field names).
 */
export interface DeployDestination {
  /** Becomes `integration_id` in every envelope written here (context key `destinationId`). */
  readonly id: string;
  readonly streamName: string;
  /**
   * The failed-events stream next to `streamName`, written with the same role (context key
   * `failedStreamName`): refused events are kept there.
   * @default - none: refused events are only answered and counted
   */
  readonly failedStreamName?: string;
  readonly region: string;
  /**
   * The writer role the Lambda assumes (context key `writerRoleArn`); the only role its own policy
   * lets it assume.
   */
  readonly roleArn: string;
  /** The external ID the writer role's trust policy requires (context key `externalId`). */
  readonly externalId: string;
  /**
   * The stream's ARN when it lives in another account (context key `streamArn`): the dashboard
   * reads that account from it.
   * @default - none: the stream is the stream stack's of the same deployment
   */
  readonly streamArn?: string;
}

/**
 * A source of the deployed collector (the collector function construct's `sources`): its events go
 * to these destinations. The Lambda receives it as a `RuntimeSource`; its write keys live in the
 * write-keys secret, never here.
 */
export interface DeploySource {
  readonly id: string;
  readonly destinationIds: readonly string[];
  /**
   * What the partition key is made of: the user (`userId || anonymousId`) or the event (`messageId`).
   * @default - `COLLECTOR_FUNCTION_DEFAULTS.partitionKey` ('user')
   */
  readonly partitionKey?: 'user' | 'event_id';
}

/** What the deploy knows of its own environment before anything is deployed. */
export interface DeployEnvironment {
  /** The region the CLI deploys to (`CDK_DEFAULT_REGION`), when it knows it. */
  readonly region?: string;
  /**
   * Reads the configuration document of `collectorConfig` (a path relative to where cdk runs).
   * @default - the file, read as UTF-8
   */
  readonly readFile?: (path: string) => string;
}

/**
 * The configuration document deployed with `-c collectorConfig=<path>` (docs/deploying.md "Deploy a
 * configuration document"): the same document `npm start` runs, without write keys.
 */
export interface CollectorDocument {
  /** The path given, for messages. */
  readonly path: string;
  /** The document as written (defaults left out): what the function's code asset holds. */
  readonly document: RuntimeConfigInput;
  /** The document validated by the Lambda's own schema, defaults filled in. */
  readonly config: RuntimeConfig;
  /**
   * The destination without `roleArn` that is bound to the stream stack of the same app (its
   * stream, failed-events stream, region, writer role and first external ID).
   * @default - none: every destination names its own stream and role
   */
  readonly boundDestinationId?: string;
  /** The origins the API's CORS preflights allow, derived from every source's origins. */
  readonly apiOrigins: readonly string[];
}

/** The collector's own host name, and how its certificate and DNS records come about. */
export interface CustomDomainDeployConfig {
  /** Like `events.example.com`. */
  readonly domainName: string;
  /** The Route 53 zone for alias records (and for validating a new certificate). */
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
  /** An existing ACM certificate; `undefined`: a new one, validated by DNS in `hostedZone`. */
  readonly certificateArn?: string;
  /**
   * Who reaches the domain (context key `ipAddressType`): IPv4 and IPv6 (`dualstack`, with `A` and
   * `AAAA` records) or IPv4 only (`ipv4`, `A` record only).
   */
  readonly ipAddressType: 'dualstack' | 'ipv4';
}

/** Settings of the collector stack (API Gateway HTTP API and Lambda). */
export interface CollectorDeployConfig {
  /** `undefined` in the same-account topology: the destination comes from the stream stack. */
  readonly destination?: DeployDestination;
  /**
   * The configuration document of `collectorConfig`: its sources, destinations and CORS replace
   * `sourceId`, `destinationId`, `partitionKey`, `allowedOrigins` and `corsMaxAgeSeconds` (which then
   * hold the values derived from it).
   * @default - none: one source (`sourceId`) writing to one destination (`destinationId`)
   */
  readonly document?: CollectorDocument;
  readonly sourceId: string;
  readonly destinationId: string;
  readonly partitionKey: 'user' | 'event_id';
  readonly allowedOrigins: readonly string[];
  readonly corsMaxAgeSeconds: number;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly tracing: boolean;
  /** The function's `POWERTOOLS_LOG_LEVEL`. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRetentionDays: number;
  /**
   * Alarm when more than this percentage of events (5-minute periods) went to the failed-events
   * stream (context key `failedRateAlarmPercent`); `undefined`: no such alarm.
   */
  readonly failedRateAlarmPercent?: number;
  readonly alarms: AlarmsDeployConfig;
  /** The function's reserved concurrency; `undefined`: none (the account's unreserved pool). */
  readonly reservedConcurrency?: number;
  /** Keep the spill queues (and their key) when the stack is deleted or replaces them. */
  readonly retainSpillQueues: boolean;
  /**
   * Keep the write-keys secret when the stack is deleted or stops defining it (context key
   * `retainWriteKeys`, default true): deleting it ends every SDK's key.
   */
  readonly retainWriteKeys: boolean;
  /** Encrypt the spill queues with a customer-managed key rather than the SQS-managed one. */
  readonly spillEncryption: 'sqs-managed' | 'customer-managed';
  /** Roles besides the collector's own that may read the spill queues (the redrive's). */
  readonly redriveRoleArns: readonly string[];
  /** Put the client's address (`sourceIp`) in the API access log. */
  readonly accessLogSourceIp: boolean;
  /** `undefined`: the collector's URL is the generated `execute-api` one. */
  readonly customDomain?: CustomDomainDeployConfig;
  /** Only the custom domain answers. */
  readonly disableExecuteApiEndpoint: boolean;
  /**
   * The path the collector answers under on the site's own CloudFront distribution (context key
   * `sameOriginPrefix`, like `/collect`): the stack creates the origin secret the distribution sends
   * and the function checks, and outputs what the site's `SameOriginPath` needs.
   * @default - none: no same-origin path, `CloudFront-Viewer-Address` never trusted
   */
  readonly sameOriginPrefix?: string;
}

export interface DeployConfig {
  readonly topology: Topology;
  /** Prefix of both stack names. */
  readonly stackPrefix: string;
  readonly stream?: StreamDeployConfig;
  readonly collector?: CollectorDeployConfig;
}
