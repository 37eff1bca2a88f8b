import { startAwsQueryServer, unsupported } from './aws-query-server';

/** A topic the stand-in answers for. */
export interface TestTopic {
  readonly arn: string;
  /** Its access policy (JSON). */
  readonly policy?: string;
  /** Its subscriptions; `PendingConfirmation` as the ARN of an unconfirmed one. */
  readonly subscriptions: readonly { readonly arn: string; readonly endpoint: string }[];
}

/**
 * A minimal SNS for tests: the AWS Query protocol, topics kept in memory by ARN. Only
 * GetTopicAttributes and ListSubscriptionsByTopic.
 */
export interface TestSns {
  /** The value of `AWS_ENDPOINT_URL_SNS`. */
  readonly endpoint: string;
  put(topic: TestTopic): void;
  stop(): Promise<void>;
}

export async function startTestSns(): Promise<TestSns> {
  const topics = new Map<string, TestTopic>();
  const server = await startAwsQueryServer({
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    answer: ({ action, params }) => {
      const topic = topics.get(params.get('TopicArn') ?? '');
      if (action !== 'GetTopicAttributes' && action !== 'ListSubscriptionsByTopic')
        return unsupported(action);
      if (topic === undefined)
        return { error: { code: 'NotFound', message: 'Topic does not exist', status: 404 } };
      if (action === 'ListSubscriptionsByTopic') {
        return {
          result: {
            Subscriptions: topic.subscriptions.map((subscription) => ({
              SubscriptionArn: subscription.arn,
              TopicArn: topic.arn,
              Protocol: 'email',
              Endpoint: subscription.endpoint,
              Owner: '000000000000',
            })),
          },
        };
      }
      const attributes = new Map([['TopicArn', topic.arn]]);
      if (topic.policy !== undefined) attributes.set('Policy', topic.policy);
      return { result: { Attributes: attributes } };
    },
  });
  return { endpoint: server.endpoint, put: (topic) => topics.set(topic.arn, topic), stop: server.stop };
}
