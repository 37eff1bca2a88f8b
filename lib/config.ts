/**
 * The deploy-time configuration of the CDK app: its type, its defaults and its validation.
 *
 * Every value comes from CDK context (`-c key=value` or `cdk.json`), read by `bin/app.ts` only and
 * handed here as a lookup function, so this module stays pure and testable. Validation collects every
 * problem before failing; each message names the context key and says what to do.
 */

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
  readonly capacity: StreamCapacity;
  readonly retentionHours: number;
  readonly encryption: StreamEncryptionChoice;
  /** Alarm on the stream's consumers falling behind by this many seconds; `undefined`: no such alarm. */
  readonly iteratorAgeAlarmSeconds?: number;
  readonly alarms: AlarmsDeployConfig;
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
}

/** Where the collector writes when the stream lives in another account. */
export interface ExternalDestination {
  readonly writerRoleArn: string;
  readonly streamArn: string;
  readonly streamName: string;
  readonly region: string;
  readonly externalId: string;
}

/** Settings of the collector stack (API Gateway HTTP API and Lambda). */
export interface CollectorDeployConfig {
  /** `undefined` in the same-account topology: the destination comes from the stream stack. */
  readonly destination?: ExternalDestination;
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
  readonly alarms: AlarmsDeployConfig;
}

export interface DeployConfig {
  readonly topology: Topology;
  /** Prefix of both stack names. */
  readonly stackPrefix: string;
  readonly stream?: StreamDeployConfig;
  readonly collector?: CollectorDeployConfig;
}

/** The context keys this app reads, with their defaults (docs/deploying.md shows the same table). */
export const CONTEXT_DEFAULTS = {
  stackPrefix: 'KinesisEventForwarder',
  streamMode: 'ON_DEMAND',
  shardCount: 1,
  retentionHours: 24,
  streamEncryption: 'AWS_MANAGED',
  sourceId: 'default',
  destinationId: 'kinesis',
  partitionKey: 'user',
  allowedOrigins: '*',
  corsMaxAgeSeconds: 7200,
  throttlingRateLimit: 1000,
  throttlingBurstLimit: 2000,
  lambdaMemoryMb: 256,
  lambdaTimeoutSeconds: 10,
  tracing: false,
  logLevel: 'INFO',
  logRetentionDays: 30,
} as const;

/** Optional context keys without a default (docs/deploying.md lists them with the others). */
export const OPTIONAL_CONTEXT_KEYS = [
  'externalIds',
  'collectorAccountId',
  'writerRoleArn',
  'streamArn',
  'externalId',
  'alarmEmail',
  'alarmTopicArn',
  'iteratorAgeAlarmSeconds',
] as const;

/** The configuration cannot be used; the message lists every problem by context key. */
export class InvalidDeployConfigError extends Error {
  override readonly name = 'InvalidDeployConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid CDK context (pass values with -c key=value or in cdk.json; see docs/deploying.md):\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}

/** Reads one context value; `undefined` when unset. `bin/app.ts` passes `app.node.tryGetContext`. */
export type ContextLookup = (key: string) => unknown;

/** AWS's own limits for `sts:ExternalId`. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov, ...). */
export const ROLE_ARN_PATTERN = /^arn:aws[-a-z]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Kinesis data stream ARN in any partition; captures the region and the stream name. */
export const STREAM_ARN_PATTERN =
  /^arn:aws[-a-z]*:kinesis:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stream\/([\w.-]{1,128})$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An SNS topic ARN in any partition. */
export const TOPIC_ARN_PATTERN = /^arn:aws[-a-z]*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[\w-]{1,256}$/;
/** A plain email address, as SNS's email protocol accepts it. */
export const EMAIL_PATTERN = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const STACK_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,100}$/;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Collects problems while reading context, so one run reports all of them. */
class ContextReader {
  readonly problems: string[] = [];

  constructor(private readonly lookup: ContextLookup) {}

  has(key: string): boolean {
    const value = this.lookup(key);
    return value !== undefined && value !== null && value !== '';
  }

  string(key: string): string | undefined {
    const value = this.lookup(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problems.push(`${key}: expected a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  /** A list given as a JSON array (cdk.json) or a comma-separated string (`-c key=a,b`). */
  list(key: string): string[] | undefined {
    const value = this.lookup(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      return value.map((item) => item.trim()).filter((item) => item !== '');
    }
    if (typeof value === 'string') {
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    }
    this.problems.push(`${key}: expected a comma-separated string or a list of strings`);
    return undefined;
  }

  integer(key: string, fallback: number, min: number, max: number, unit = ''): number {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key}: "${raw}" is not valid; use a whole number from ${min} to ${max}${unit}`);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    this.problems.push(`${key}: "${raw}" is not valid; use true or false`);
    return fallback;
  }

  oneOf<T extends string>(key: string, fallback: T, choices: readonly T[]): T {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const choice = choices.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
    if (choice === undefined) {
      this.problems.push(`${key}: "${raw}" is not valid; use one of ${choices.join(', ')}`);
      return fallback;
    }
    return choice;
  }

  matching(key: string, pattern: RegExp, what: string): string | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (!pattern.test(raw)) {
      this.problems.push(`${key}: "${raw}" is not ${what}`);
      return undefined;
    }
    return raw;
  }
}

const EXTERNAL_ID_RULE =
  'a valid external ID; use 2-1224 characters of letters, digits and + = , . @ : / _ - (for example a UUID)';
const ROLE_ARN_RULE =
  'an IAM role ARN; use the WriterRoleArn output of the stream stack, like arn:aws:iam::123456789012:role/Name';
const STREAM_ARN_RULE =
  'a Kinesis stream ARN; use the StreamArn output of the stream stack, like arn:aws:kinesis:eu-west-1:123456789012:stream/Name';

function readExternalIds(reader: ContextReader): string[] {
  const ids = reader.list('externalIds') ?? [];
  for (const id of ids) {
    if (!EXTERNAL_ID_PATTERN.test(id))
      reader.problems.push(`externalIds: "${id}" is not ${EXTERNAL_ID_RULE}`);
  }
  if (new Set(ids).size !== ids.length)
    reader.problems.push('externalIds: remove the duplicate external IDs');
  return ids;
}

function readAlarms(reader: ContextReader): AlarmsDeployConfig {
  const email = reader.matching(
    'alarmEmail',
    EMAIL_PATTERN,
    'an email address; use one address like ops@example.com (for several people, use a mailing list or -c alarmTopicArn)',
  );
  const topicArn = reader.matching(
    'alarmTopicArn',
    TOPIC_ARN_PATTERN,
    'an SNS topic ARN; use the ARN of a topic in the region you deploy to, like arn:aws:sns:eu-west-1:123456789012:alarms',
  );
  if (reader.has('alarmEmail') && reader.has('alarmTopicArn')) {
    reader.problems.push(
      'alarmEmail and alarmTopicArn: set one of them; subscribe the address to your topic yourself, or let the stacks create a topic for alarmEmail',
    );
    return {};
  }
  if (email !== undefined) return { notifications: { kind: 'email', email } };
  if (topicArn !== undefined) return { notifications: { kind: 'topic', topicArn } };
  return {};
}

function readStream(
  reader: ContextReader,
  externalIds: string[],
  alarms: AlarmsDeployConfig,
  collectorAccountId?: string,
): StreamDeployConfig {
  const mode = reader.oneOf('streamMode', CONTEXT_DEFAULTS.streamMode, ['ON_DEMAND', 'PROVISIONED']);
  if (mode === 'ON_DEMAND' && reader.has('shardCount')) {
    reader.problems.push('shardCount: only used with streamMode=PROVISIONED; remove it or set streamMode');
  }
  const shardCount = reader.integer('shardCount', CONTEXT_DEFAULTS.shardCount, 1, 10_000, ' shards');
  const encryption = reader.oneOf('streamEncryption', CONTEXT_DEFAULTS.streamEncryption, [
    'AWS_MANAGED',
    'CUSTOMER_MANAGED',
  ]);
  return {
    externalIds,
    ...(collectorAccountId === undefined ? {} : { collectorAccountId }),
    capacity: mode === 'PROVISIONED' ? { mode: 'provisioned', shardCount } : { mode: 'on-demand' },
    retentionHours: reader.integer('retentionHours', CONTEXT_DEFAULTS.retentionHours, 24, 8760, ' hours'),
    encryption: encryption === 'CUSTOMER_MANAGED' ? 'customer-managed' : 'aws-managed',
    ...(reader.has('iteratorAgeAlarmSeconds')
      ? {
          iteratorAgeAlarmSeconds: reader.integer(
            'iteratorAgeAlarmSeconds',
            0,
            60,
            8760 * 3600,
            ' seconds (at most the longest retention)',
          ),
        }
      : {}),
    alarms,
  };
}

function readCollector(
  reader: ContextReader,
  alarms: AlarmsDeployConfig,
  destination?: ExternalDestination,
): CollectorDeployConfig {
  const origins = reader.list('allowedOrigins') ?? [CONTEXT_DEFAULTS.allowedOrigins];
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.*-]+(:\d{1,5})?$/.test(origin)) {
      reader.problems.push(
        `allowedOrigins: "${origin}" is not an origin; use * or scheme://host[:port] without a path, like https://www.example.com`,
      );
    }
  }
  const rateLimit = reader.integer(
    'throttlingRateLimit',
    CONTEXT_DEFAULTS.throttlingRateLimit,
    1,
    1_000_000,
    ' requests per second',
  );
  const burstLimit = reader.integer(
    'throttlingBurstLimit',
    CONTEXT_DEFAULTS.throttlingBurstLimit,
    1,
    1_000_000,
  );
  if (burstLimit < rateLimit) {
    reader.problems.push(
      `throttlingBurstLimit: ${burstLimit} is below throttlingRateLimit ${rateLimit}; raise the burst or lower the rate`,
    );
  }
  const retention = reader.integer('logRetentionDays', CONTEXT_DEFAULTS.logRetentionDays, 1, 3653, ' days');
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    reader.problems.push(
      `logRetentionDays: ${retention} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  return {
    ...(destination === undefined ? {} : { destination }),
    sourceId:
      reader.matching('sourceId', ID_PATTERN, 'a valid id; use 1-64 letters, digits, _ . -') ??
      CONTEXT_DEFAULTS.sourceId,
    destinationId:
      reader.matching('destinationId', ID_PATTERN, 'a valid id; use 1-64 letters, digits, _ . -') ??
      CONTEXT_DEFAULTS.destinationId,
    partitionKey: reader.oneOf('partitionKey', CONTEXT_DEFAULTS.partitionKey, ['user', 'event_id']),
    allowedOrigins: origins,
    corsMaxAgeSeconds: reader.integer(
      'corsMaxAgeSeconds',
      CONTEXT_DEFAULTS.corsMaxAgeSeconds,
      0,
      86_400,
      ' seconds',
    ),
    throttlingRateLimit: rateLimit,
    throttlingBurstLimit: burstLimit,
    memorySize: reader.integer('lambdaMemoryMb', CONTEXT_DEFAULTS.lambdaMemoryMb, 128, 10_240, ' MB'),
    timeoutSeconds: reader.integer(
      'lambdaTimeoutSeconds',
      CONTEXT_DEFAULTS.lambdaTimeoutSeconds,
      3,
      29,
      ' seconds',
    ),
    tracing: reader.boolean('tracing', CONTEXT_DEFAULTS.tracing),
    logLevel: reader.oneOf('logLevel', CONTEXT_DEFAULTS.logLevel, ['DEBUG', 'INFO', 'WARN', 'ERROR']),
    logRetentionDays: retention,
    alarms,
  };
}

function readExternalDestination(reader: ContextReader): ExternalDestination | undefined {
  const writerRoleArn = reader.matching('writerRoleArn', ROLE_ARN_PATTERN, ROLE_ARN_RULE);
  const streamArn = reader.matching('streamArn', STREAM_ARN_PATTERN, STREAM_ARN_RULE);
  const externalId = reader.matching('externalId', EXTERNAL_ID_PATTERN, EXTERNAL_ID_RULE);
  for (const key of ['writerRoleArn', 'streamArn', 'externalId']) {
    if (!reader.has(key)) {
      reader.problems.push(
        `${key}: required to deploy the collector alone; set writerRoleArn, streamArn and externalId together (the stream stack's outputs and one of its external IDs)`,
      );
    }
  }
  const match = streamArn === undefined ? null : STREAM_ARN_PATTERN.exec(streamArn);
  if (writerRoleArn === undefined || streamArn === undefined || externalId === undefined || !match) {
    return undefined;
  }
  const [, region = '', streamName = ''] = match;
  return { writerRoleArn, streamArn, streamName, region, externalId };
}

/**
 * Turns CDK context into a validated {@link DeployConfig}; throws {@link InvalidDeployConfigError}
 * listing every problem. The topology follows from the keys given:
 * - `externalIds` alone: same account, both stacks;
 * - `collectorAccountId` + `externalIds`: the stream stack only (the data owner's account);
 * - `writerRoleArn` + `streamArn` + `externalId`: the collector stack only.
 */
export function readDeployConfig(lookup: ContextLookup): DeployConfig {
  const reader = new ContextReader(lookup);
  const stackPrefix =
    reader.matching(
      'stackPrefix',
      STACK_PREFIX_PATTERN,
      'a valid stack name prefix; start with a letter, then letters, digits and -',
    ) ?? CONTEXT_DEFAULTS.stackPrefix;
  const alarms = readAlarms(reader);
  const collectorSide = ['writerRoleArn', 'streamArn', 'externalId'].some((key) => reader.has(key));
  const streamSide = reader.has('collectorAccountId') || reader.has('externalIds');

  let config: DeployConfig | undefined;
  if (collectorSide && streamSide) {
    reader.problems.push(
      'writerRoleArn/streamArn/externalId and collectorAccountId/externalIds belong to different deployments; deploy the stream stack with collectorAccountId + externalIds, then the collector stack with writerRoleArn + streamArn + externalId',
    );
  } else if (collectorSide) {
    if (reader.has('iteratorAgeAlarmSeconds')) {
      reader.problems.push(
        "iteratorAgeAlarmSeconds: only used by the stream stack (the stream's metrics live in its account); set it when you deploy the stream stack",
      );
    }
    const destination = readExternalDestination(reader);
    config = {
      topology: 'collector-account',
      stackPrefix,
      collector: readCollector(reader, alarms, destination),
    };
  } else {
    const externalIds = readExternalIds(reader);
    if (externalIds.length === 0) {
      reader.problems.push(
        'externalIds: required; pass one or more external IDs the writer role accepts, e.g. -c externalIds=$(uuidgen)',
      );
    }
    const collectorAccountId = reader.matching(
      'collectorAccountId',
      ACCOUNT_ID_PATTERN,
      'an AWS account ID; use the 12 digits of the account that runs the collector',
    );
    if (reader.has('collectorAccountId')) {
      config = {
        topology: 'stream-account',
        stackPrefix,
        stream: readStream(reader, externalIds, alarms, collectorAccountId),
      };
    } else {
      config = {
        topology: 'same-account',
        stackPrefix,
        stream: readStream(reader, externalIds, alarms),
        collector: readCollector(reader, alarms),
      };
    }
  }
  if (reader.problems.length > 0 || config === undefined) throw new InvalidDeployConfigError(reader.problems);
  return config;
}
