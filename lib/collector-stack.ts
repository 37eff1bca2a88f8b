import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CollectorSide, type CollectorSideProps } from './collector-side';
import { hostOfUrl } from './constructs/same-origin-path';

export { CONCURRENCY_WARNING_ID } from './collector-side';

export interface CollectorStackProps extends StackProps, CollectorSideProps {}

/**
 * The public side: the HTTP API, the collector Lambda, its write keys and its spill queue
 * ({@link CollectorSide}, whose resources it holds directly), and the outputs operators use.
 */
export class CollectorStack extends Stack {
  /**
   * What the stack holds (the API, the function, the write keys, the spill queue, alarms, ...): the
   * exported collector-side resources, added to the stack itself.
   */
  readonly side: CollectorSide;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { config } = props;
    const side = new CollectorSide(this, props);
    this.side = side;
    const customDomain = config.customDomain;

    new CfnOutput(this, 'CollectorUrl', {
      value: side.domain?.url ?? side.api.url,
      description: 'Point analytics SDKs here (apiHost / dataPlaneUrl)',
    });
    if (side.domain !== undefined && !config.disableExecuteApiEndpoint) {
      new CfnOutput(this, 'ExecuteApiUrl', {
        value: side.api.url,
        description: 'The generated API URL, which answers too until disableExecuteApiEndpoint=true',
      });
    }
    if (side.domain !== undefined && customDomain?.hostedZone === undefined) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: side.domain.dnsTarget,
        description: `Point ${customDomain?.domainName} here (CNAME) at your DNS provider`,
      });
    }
    if (side.sameOriginSecret !== undefined) {
      new CfnOutput(this, 'SameOriginSecretArn', {
        value: side.sameOriginSecret.secret.secretArn,
        description:
          "The site's SameOriginPath takes originSecret: SecretValue.secretsManager(<this>) (docs/deploying.md, same-origin path)",
      });
      new CfnOutput(this, 'SameOriginApiDomain', {
        value: customDomain?.domainName ?? hostOfUrl(side.api.url),
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
      value: side.collector.role.roleArn,
      description:
        "The collector function's role: the stream owner may pin the writer role's trust to it (-c collectorRoleArn=...)",
    });
    new CfnOutput(this, 'WriteKeysSecretArn', {
      value: side.writeKeys.secret.secretArn,
      description: 'Secrets Manager secret holding the write keys: {"<sourceId>": "<key>"}',
    });
    new CfnOutput(this, 'SpillQueueUrl', {
      value: side.spill.queue.queueUrl,
      description:
        'SQS queue of events the stream refused after the retry budget: npm run redrive -- --queue-url <this>',
    });
    if (side.dedup !== undefined) {
      new CfnOutput(this, 'DedupTableName', {
        value: side.dedup.table.tableName,
        description:
          'DynamoDB table of the dedup marks: npm run redrive / replay-failed -- ... --dedup-table <this>',
      });
    }
    if (side.suppression !== undefined) {
      new CfnOutput(this, 'SuppressionTableName', {
        value: side.suppression.table.tableName,
        description: 'DynamoDB table of suppressed ids: npm run suppress -- ... --table <this>',
      });
    }
    if (side.fieldHashKey !== undefined) {
      new CfnOutput(this, 'HashKeySecretArn', {
        value: side.fieldHashKey.secret.secretArn,
        description:
          'Secret holding the hash key of keyed field hashes and suppressed ids: npm run suppress / replay-failed -- ... --hash-key-secret <this>',
      });
    }
    new CfnOutput(this, 'SpillDeadLetterQueueUrl', {
      value: side.spill.deadLetterQueue.queueUrl,
      description: 'Spilled events the redrive could not write 5 times; inspect them, then redrive from here',
    });
  }
}
