import { GetTopicAttributesCommand, paginateListSubscriptionsByTopic, SNSClient } from '@aws-sdk/client-sns';
import { type AwsConnection, clientConfig } from './aws-connection';

/** An SNS topic as the command reads it. */
export interface TopicFacts {
  readonly arn: string;
  /** Its access policy (JSON). */
  readonly policy?: string;
  /** Its KMS key, when encrypted at rest. */
  readonly kmsMasterKeyId?: string;
  /** Its subscriptions; an unconfirmed one has `PendingConfirmation` as its ARN. */
  readonly subscriptions: readonly {
    readonly arn: string;
    readonly protocol: string;
    readonly endpoint: string;
  }[];
}

/** The SNS adapter: GetTopicAttributes and ListSubscriptionsByTopic. */
export async function readTopic(connection: AwsConnection, arn: string): Promise<TopicFacts> {
  const client = new SNSClient(clientConfig(connection, 'sns'));
  try {
    const { Attributes: attributes = {} } = await client.send(
      new GetTopicAttributesCommand({ TopicArn: arn }),
    );
    const subscriptions: TopicFacts['subscriptions'][number][] = [];
    for await (const page of paginateListSubscriptionsByTopic({ client }, { TopicArn: arn })) {
      for (const subscription of page.Subscriptions ?? []) {
        subscriptions.push({
          arn: subscription.SubscriptionArn ?? '',
          protocol: subscription.Protocol ?? '',
          endpoint: subscription.Endpoint ?? '',
        });
      }
    }
    return {
      arn,
      ...(attributes.Policy === undefined ? {} : { policy: attributes.Policy }),
      ...(attributes.KmsMasterKeyId === undefined ? {} : { kmsMasterKeyId: attributes.KmsMasterKeyId }),
      subscriptions,
    };
  } finally {
    client.destroy();
  }
}
