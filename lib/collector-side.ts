import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { IpAddressType } from 'aws-cdk-lib/aws-apigatewayv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { needsFieldHashKey } from '../lambda/contract/field-hash-key-secret';
import { collectorRolePath, roleArnPatternUnder } from './collector-role-path';
import {
  CONTEXT_DEFAULTS,
  type CollectorDeployConfig,
  type DeployDestination,
  SYNTH_WARNING_IDS,
} from './config';
import { type AlarmTopic, alarmTopicOf } from './constructs/alarm-topic';
import { CollectorAlarms } from './constructs/collector-alarms';
import { CollectorDashboard } from './constructs/collector-dashboard';
import { CollectorFunction } from './constructs/collector-function';
import { DedupTable } from './constructs/dedup-table';
import { FieldHashKeySecret } from './constructs/field-hash-key-secret';
import { IngestApi } from './constructs/ingest-api';
import { IngestDomain } from './constructs/ingest-domain';
import { SameOriginSecret } from './constructs/same-origin-secret';
import { SpillQueue } from './constructs/spill-queue';
import { SuppressionTable } from './constructs/suppression-table';
import { WriteKeysSecret } from './constructs/write-keys-secret';

export interface CollectorSideProps {
  /** The collector side's settings (sources or a configuration document, CORS, limits, alarms, ...). */
  readonly config: CollectorDeployConfig;
  /**
   * The stream the collector writes to, and the role and external ID it writes with; with a
   * configuration document, the one the dashboard shows.
   */
  readonly destination: DeployDestination;
  /**
   * Every destination of a configuration document (`config.document`), resolved: the function may
   * assume each one's role.
   * @default - [destination]
   */
  readonly destinations?: readonly DeployDestination[];
  /**
   * IAM path of the collector's role: the writer role and the spill queues trust the roles under it
   * (lib/collector-role-path.ts).
   * @default - the path of the default stack prefix, `/kinesis-event-forwarder/KinesisEventForwarder/`
   */
  readonly rolePath?: string;
}

/** The longest a request runs while the stream throttles: the runtime's `delivery.budgetMs` default. */
const WORST_CASE_REQUEST_SECONDS = 6;

/**
 * The id of the synth warning `warnOfConcurrency` adds. `cdk synth` prints it with "Acknowledge with
 * 'Annotation::kinesis-event-forwarder:concurrency'": an owner who has weighed it passes
 * `-c acknowledgeWarnings=concurrency` (bin/app.ts acknowledges it), and it is no longer shown.
 */
export const CONCURRENCY_WARNING_ID = SYNTH_WARNING_IDS.concurrency;

/**
 * Warns at synth when the stage's rate limit, held for a whole delivery budget (the stream
 * throttling), needs more concurrent executions than the reserved concurrency the owner gave the
 * function. Without a reservation there is nothing to compare with: the account's quota is not
 * known at synth (10 in new accounts, raised in many), so the default synth stays quiet and
 * docs/deploying.md says what the default stage limit can hold.
 */
function warnOfConcurrency(scope: Construct, config: CollectorDeployConfig): void {
  if (config.reservedConcurrency === undefined) return;
  const seconds = Math.min(config.timeoutSeconds, WORST_CASE_REQUEST_SECONDS);
  const needed = Math.ceil(config.throttlingRateLimit * seconds);
  if (needed <= config.reservedConcurrency) return;
  Annotations.of(scope).addWarningV2(
    CONCURRENCY_WARNING_ID,
    `throttlingRateLimit ${config.throttlingRateLimit} requests/s for up to ${seconds} s each while the stream throttles needs up to ${needed} concurrent executions, more than reservedConcurrency ${config.reservedConcurrency} (beyond it requests are throttled and answered 5xx, which the SDKs retry). Lower throttlingRateLimit to ${Math.floor(config.reservedConcurrency / seconds)} or raise reservedConcurrency to ${needed} to stay within it, or, if that ceiling is what you want, acknowledge this warning with -c acknowledgeWarnings=concurrency (docs/deploying.md#limits-checked-at-synth).`,
  );
}

/**
 * The public side: the HTTP API (and its custom domain), the collector Lambda, its write keys, its
 * spill queues, the tables and keys the configuration document asks for, the collector's alarms,
 * their topic and its dashboard.
 *
 * Not a construct of its own: it adds its resources (`WriteKeys`, `Spill`, `Collector`, `Ingest`,
 * `Alarms`, `Dashboard`, ...) to the scope it is given, so `CollectorStack` passes itself and its
 * logical ids stay those of every existing deployment (test/lib/logical-id-pin.test.ts). Give it a
 * scope of its own (`new Construct(stack, 'Collector')`) to put it next to other resources, as
 * `KinesisEventForwarder` does.
 */
export class CollectorSide {
  readonly api: IngestApi;
  /** The custom domain, when `domainName` was given. */
  readonly domain?: IngestDomain;
  readonly collector: CollectorFunction;
  readonly writeKeys: WriteKeysSecret;
  readonly spill: SpillQueue;
  /** The dedup table, when a source of the configuration document sets `dedup`. */
  readonly dedup?: DedupTable;
  /** The suppression table, when a source of the document turns `suppression` on. */
  readonly suppression?: SuppressionTable;
  /**
   * The deployment's hash key (keyed `redact.hash` rules and suppressed ids), when a source of the
   * configuration document hashes with it or turns `suppression` on.
   */
  readonly fieldHashKey?: FieldHashKeySecret;
  readonly alarms: CollectorAlarms;
  readonly dashboard: CollectorDashboard;
  /** The same-origin path's origin secret, when `sameOriginPrefix` was given. */
  readonly sameOriginSecret?: SameOriginSecret;
  /** The topic alarm state changes go to, when `config.alarms` names one. */
  readonly alarmTopic?: AlarmTopic;

  constructor(
    readonly scope: Construct,
    props: CollectorSideProps,
  ) {
    const { config, destination } = props;
    const stack = Stack.of(scope);
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const corsMaxAge = Duration.seconds(config.corsMaxAgeSeconds);

    // Every source needs an entry in the write-key secret: the document's sources, else sourceId.
    const ids = config.document?.config.sources.map((source) => source.id) ?? [config.sourceId];
    this.writeKeys = new WriteKeysSecret(scope, 'WriteKeys', {
      sourceIds: ids,
      removalPolicy: config.retainWriteKeys ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const rolePath = props.rolePath ?? collectorRolePath(CONTEXT_DEFAULTS.stackPrefix);
    this.spill = new SpillQueue(scope, 'Spill', {
      removalPolicy: config.retainSpillQueues ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      customerManagedKey: config.spillEncryption === 'customer-managed',
      // The collector's role (and an operator role under its path), plus the redrive roles named.
      allowedPrincipalArns: [
        roleArnPatternUnder(stack.partition, stack.account, rolePath),
        ...config.redriveRoleArns,
      ],
    });
    const document = config.document;
    if (document?.config.sources.some((source) => source.dedup !== undefined)) {
      this.dedup = new DedupTable(scope, 'Dedup');
    }
    if (document?.config.sources.some((source) => source.suppression?.enabled === true)) {
      this.suppression = new SuppressionTable(scope, 'Suppression');
    }
    // The one key of keyed hashing, only when a deployed source hashes with it or suppresses ids
    // (docs/privacy.md); its construct id is that of the first deployments with it, so it is kept.
    if (
      this.suppression !== undefined ||
      document?.config.sources.some((source) => needsFieldHashKey(source.pipeline.redact)) ||
      document?.config.destinations.some((destination) => needsFieldHashKey(destination.redact))
    ) {
      this.fieldHashKey = new FieldHashKeySecret(scope, 'FieldHashKey');
    }
    this.sameOriginSecret =
      config.sameOriginPrefix === undefined ? undefined : new SameOriginSecret(scope, 'SameOrigin');
    this.collector = new CollectorFunction(scope, 'Collector', {
      ...(document === undefined
        ? {
            sources: [
              {
                id: config.sourceId,
                destinationIds: [config.destinationId],
                partitionKey: config.partitionKey,
              },
            ],
          }
        : {
            document: {
              document: document.document,
              boundDestinationIds:
                document.boundDestinationId === undefined ? [] : [document.boundDestinationId],
            },
          }),
      destinations: props.destinations ?? [destination],
      writeKeysSecret: this.writeKeys.secret,
      ...(this.fieldHashKey === undefined ? {} : { fieldHashKeySecret: this.fieldHashKey.secret }),
      spillQueue: this.spill.queue,
      ...(this.dedup === undefined ? {} : { dedupTable: this.dedup.table }),
      ...(this.suppression === undefined ? {} : { suppressionTable: this.suppression.table }),
      ...(this.sameOriginSecret === undefined
        ? {}
        : { originSecret: this.sameOriginSecret.secret.secretValue }),
      allowedOrigins: config.allowedOrigins,
      corsMaxAge,
      memorySize: config.memorySize,
      timeout: Duration.seconds(config.timeoutSeconds),
      tracing: config.tracing,
      logLevel: config.logLevel,
      logRetention,
      rolePath,
      ...(config.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: config.reservedConcurrency }),
    });
    warnOfConcurrency(scope, config);
    this.api = new IngestApi(scope, 'Ingest', {
      handler: this.collector.function,
      allowedOrigins: config.allowedOrigins,
      // A source setting the identity cookie needs credentialed CORS, which API Gateway answers itself.
      allowCredentials:
        document?.config.sources.some((source) => source.identityCookie !== undefined) ?? false,
      corsMaxAge,
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      accessLogRetention: logRetention,
      accessLogSourceIp: config.accessLogSourceIp,
      disableExecuteApiEndpoint: config.disableExecuteApiEndpoint,
    });
    const customDomain = config.customDomain;
    this.domain =
      customDomain === undefined
        ? undefined
        : new IngestDomain(scope, 'Domain', {
            api: this.api.api,
            stage: this.api.stage,
            domainName: customDomain.domainName,
            ...(customDomain.hostedZone === undefined ? {} : { hostedZone: customDomain.hostedZone }),
            ...(customDomain.certificateArn === undefined
              ? {}
              : { certificateArn: customDomain.certificateArn }),
            ipAddressType:
              customDomain.ipAddressType === 'ipv4' ? IpAddressType.IPV4 : IpAddressType.DUAL_STACK,
          });
    this.alarmTopic = alarmTopicOf(scope, config.alarms);
    this.alarms = new CollectorAlarms(scope, 'Alarms', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      ...(config.failedRateAlarmPercent === undefined
        ? {}
        : { failedRateThresholdPercent: config.failedRateAlarmPercent }),
      ...(this.dedup === undefined ? {} : { dedup: true }),
      ...(this.suppression === undefined ? {} : { suppression: true }),
      ...(this.alarmTopic === undefined ? {} : { action: this.alarmTopic.action }),
    });
    this.dashboard = new CollectorDashboard(scope, 'Dashboard', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      alarms: this.alarms.alarms,
      ...(this.suppression === undefined ? {} : { suppression: true }),
      stream: {
        streamName: destination.streamName,
        region: destination.region,
        // The stream's account (from its ARN) when it is not this stack's.
        ...(destination.streamArn === undefined ? {} : { account: destination.streamArn.split(':')[4] }),
      },
    });
  }
}
