import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import { alarmTopicAction } from './constructs/alarm-topic';
import { CollectorAlarms } from './constructs/collector-alarms';
import { CollectorDashboard } from './constructs/collector-dashboard';
import { CollectorFunction } from './constructs/collector-function';
import { DedupTable } from './constructs/dedup-table';
import { FieldHashKeySecret } from './constructs/field-hash-key-secret';
import { IngestApi } from './constructs/ingest-api';
import { IngestDomain } from './constructs/ingest-domain';
import { hostOfUrl } from './constructs/same-origin-path';
import { SameOriginSecret } from './constructs/same-origin-secret';
import { SpillQueue } from './constructs/spill-queue';
import { SuppressionTable } from './constructs/suppression-table';
import { WriteKeysSecret } from './constructs/write-keys-secret';

export interface CollectorStackProps extends StackProps {
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

/** The public side: the HTTP API, the collector Lambda, its write keys and its spill queue. */
export class CollectorStack extends Stack {
  readonly api: IngestApi;
  /** The custom domain, when `domainName` was given. */
  readonly domain?: IngestDomain;
  readonly collector: CollectorFunction;
  readonly writeKeys: WriteKeysSecret;
  readonly spill: SpillQueue;
  /** The dedup table, when a source of the configuration document sets `dedup`. */
  readonly dedup?: DedupTable;
  /** The suppression table and HMAC key, when a source of the document turns `suppression` on. */
  readonly suppression?: SuppressionTable;
  /** The key of keyed `redact.hash` rules, when a source of the configuration document hashes with it. */
  readonly fieldHashKey?: FieldHashKeySecret;
  readonly alarms: CollectorAlarms;
  readonly dashboard: CollectorDashboard;
  /** The same-origin path's origin secret, when `sameOriginPrefix` was given. */
  readonly sameOriginSecret?: SameOriginSecret;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { config, destination } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const corsMaxAge = Duration.seconds(config.corsMaxAgeSeconds);

    // Every source needs an entry in the write-key secret: the document's sources, else sourceId.
    const ids = config.document?.config.sources.map((source) => source.id) ?? [config.sourceId];
    this.writeKeys = new WriteKeysSecret(this, 'WriteKeys', {
      sourceIds: ids,
      removalPolicy: config.retainWriteKeys ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const rolePath = props.rolePath ?? collectorRolePath(CONTEXT_DEFAULTS.stackPrefix);
    this.spill = new SpillQueue(this, 'Spill', {
      removalPolicy: config.retainSpillQueues ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      customerManagedKey: config.spillEncryption === 'customer-managed',
      // The collector's role (and an operator role under its path), plus the redrive roles named.
      allowedPrincipalArns: [
        roleArnPatternUnder(this.partition, this.account, rolePath),
        ...config.redriveRoleArns,
      ],
    });
    const document = config.document;
    if (document?.config.sources.some((source) => source.dedup !== undefined)) {
      this.dedup = new DedupTable(this, 'Dedup');
    }
    if (document?.config.sources.some((source) => source.suppression?.enabled === true)) {
      this.suppression = new SuppressionTable(this, 'Suppression');
    }
    // The key of keyed field hashes, only when a deployed source hashes with it (docs/privacy.md).
    if (
      document?.config.sources.some((source) => needsFieldHashKey(source.pipeline.redact)) ||
      document?.config.destinations.some((destination) => needsFieldHashKey(destination.redact))
    ) {
      this.fieldHashKey = new FieldHashKeySecret(this, 'FieldHashKey');
    }
    this.sameOriginSecret =
      config.sameOriginPrefix === undefined ? undefined : new SameOriginSecret(this, 'SameOrigin');
    this.collector = new CollectorFunction(this, 'Collector', {
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
      ...(this.suppression === undefined
        ? {}
        : { suppression: { table: this.suppression.table, hmacKeySecret: this.suppression.hmacKeySecret } }),
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
    warnOfConcurrency(this, config);
    this.api = new IngestApi(this, 'Ingest', {
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
        : new IngestDomain(this, 'Domain', {
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
    const action = alarmTopicAction(this, config.alarms);
    this.alarms = new CollectorAlarms(this, 'Alarms', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      ...(config.failedRateAlarmPercent === undefined
        ? {}
        : { failedRateThresholdPercent: config.failedRateAlarmPercent }),
      ...(this.dedup === undefined ? {} : { dedup: true }),
      ...(action === undefined ? {} : { action }),
    });
    this.dashboard = new CollectorDashboard(this, 'Dashboard', {
      function: this.collector.function,
      stage: this.api.stage,
      spill: this.spill,
      alarms: this.alarms.alarms,
      stream: {
        streamName: destination.streamName,
        region: destination.region,
        // The stream's account (from its ARN) when it is not this stack's.
        ...(destination.streamArn === undefined ? {} : { account: destination.streamArn.split(':')[4] }),
      },
    });

    new CfnOutput(this, 'CollectorUrl', {
      value: this.domain?.url ?? this.api.url,
      description: 'Point analytics SDKs here (apiHost / dataPlaneUrl)',
    });
    if (this.domain !== undefined && !config.disableExecuteApiEndpoint) {
      new CfnOutput(this, 'ExecuteApiUrl', {
        value: this.api.url,
        description: 'The generated API URL, which answers too until disableExecuteApiEndpoint=true',
      });
    }
    if (this.domain !== undefined && customDomain?.hostedZone === undefined) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.domain.dnsTarget,
        description: `Point ${customDomain?.domainName} here (CNAME) at your DNS provider`,
      });
    }
    if (this.sameOriginSecret !== undefined) {
      new CfnOutput(this, 'SameOriginSecretArn', {
        value: this.sameOriginSecret.secret.secretArn,
        description:
          "The site's SameOriginPath takes originSecret: SecretValue.secretsManager(<this>) (docs/deploying.md, same-origin path)",
      });
      new CfnOutput(this, 'SameOriginApiDomain', {
        value: customDomain?.domainName ?? hostOfUrl(this.api.url),
        description:
          "The site's SameOriginPath takes this as apiDomainName: the origin its behavior forwards to",
      });
      new CfnOutput(this, 'SameOriginPathPattern', {
        value: `${config.sameOriginPrefix}/v1/*`,
        description:
          "The main behavior's path pattern on the site's distribution (SameOriginPath adds <prefix>/pixel/v1/*, <prefix>/beacon/v1/* and <prefix>/sourceConfig* for RudderStack too); SDKs send to https://<site><prefix>",
      });
    }
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
    if (this.dedup !== undefined) {
      new CfnOutput(this, 'DedupTableName', {
        value: this.dedup.table.tableName,
        description:
          'DynamoDB table of the dedup marks: npm run redrive / replay-failed -- ... --dedup-table <this>',
      });
    }
    if (this.suppression !== undefined) {
      new CfnOutput(this, 'SuppressionTableName', {
        value: this.suppression.table.tableName,
        description: 'DynamoDB table of suppressed ids: npm run suppress -- ... --table <this>',
      });
      new CfnOutput(this, 'HmacKeySecretArn', {
        value: this.suppression.hmacKeySecret.secretArn,
        description:
          'Secret holding the HMAC key of suppressed ids: npm run suppress -- ... --key-secret <this>',
      });
    }
    new CfnOutput(this, 'SpillDeadLetterQueueUrl', {
      value: this.spill.deadLetterQueue.queueUrl,
      description: 'Spilled events the redrive could not write 5 times; inspect them, then redrive from here',
    });
  }
}
