import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CollectorSide, type CollectorSideProps } from './collector-side';
import type { CollectorAlarms } from './constructs/collector-alarms';
import type { CollectorDashboard } from './constructs/collector-dashboard';
import type { CollectorFunction } from './constructs/collector-function';
import type { DedupTable } from './constructs/dedup-table';
import type { FieldHashKeySecret } from './constructs/field-hash-key-secret';
import type { IngestApi } from './constructs/ingest-api';
import type { IngestDomain } from './constructs/ingest-domain';
import { hostOfUrl } from './constructs/same-origin-path';
import type { SameOriginSecret } from './constructs/same-origin-secret';
import type { SpillQueue } from './constructs/spill-queue';
import type { SuppressionTable } from './constructs/suppression-table';
import type { WriteKeysSecret } from './constructs/write-keys-secret';

export { CONCURRENCY_WARNING_ID } from './collector-side';

export interface CollectorStackProps extends StackProps, CollectorSideProps {}

/**
 * The public side: the HTTP API, the collector Lambda, its write keys and its spill queue
 * ({@link CollectorSide}, whose resources it holds directly), and the outputs operators use.
 */
export class CollectorStack extends Stack {
  /** What the stack holds: the exported collector-side resources, added to the stack itself. */
  readonly side: CollectorSide;

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
  /** The deployment's hash key (keyed `redact.hash` rules and suppressed ids), when a source needs it. */
  readonly fieldHashKey?: FieldHashKeySecret;
  readonly alarms: CollectorAlarms;
  readonly dashboard: CollectorDashboard;
  /** The same-origin path's origin secret, when `sameOriginPrefix` was given. */
  readonly sameOriginSecret?: SameOriginSecret;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { config } = props;
    const side = new CollectorSide(this, props);
    this.side = side;
    this.api = side.api;
    this.domain = side.domain;
    this.collector = side.collector;
    this.writeKeys = side.writeKeys;
    this.spill = side.spill;
    this.dedup = side.dedup;
    this.suppression = side.suppression;
    this.fieldHashKey = side.fieldHashKey;
    this.alarms = side.alarms;
    this.dashboard = side.dashboard;
    this.sameOriginSecret = side.sameOriginSecret;
    const customDomain = config.customDomain;

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
    }
    if (this.fieldHashKey !== undefined) {
      new CfnOutput(this, 'HashKeySecretArn', {
        value: this.fieldHashKey.secret.secretArn,
        description:
          'Secret holding the hash key of keyed field hashes and suppressed ids: npm run suppress / replay-failed -- ... --hash-key-secret <this>',
      });
    }
    new CfnOutput(this, 'SpillDeadLetterQueueUrl', {
      value: this.spill.deadLetterQueue.queueUrl,
      description: 'Spilled events the redrive could not write 5 times; inspect them, then redrive from here',
    });
  }
}
