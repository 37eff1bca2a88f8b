import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { SPILL_QUEUE_DEFAULTS } from '../../../lib/config/construct-defaults';
import {
  SPILL_DLQ_REDRIVE_ALLOW_POLICY_ID,
  SPILL_MESSAGE_ACTIONS,
  SpillQueue,
  type SpillQueueProps,
} from '../../../lib/constructs/spill-queue';
import {
  bareStack,
  logicalIdStartingWith,
  onlyResource,
  propertiesOf,
  resourcesOf,
  templateWith,
} from '../support/template-assertions';

const spillTemplate = (props?: SpillQueueProps): Template =>
  templateWith((stack) => new SpillQueue(stack, 'Spill', props));
/** The spill queue itself (the one with a redrive policy) and its dead-letter queue. */
const queuesOf = (template: Template) => {
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  return {
    queue: queues[logicalIdStartingWith(template, 'AWS::SQS::Queue', 'SpillQueue')],
    deadLetters: queues[logicalIdStartingWith(template, 'AWS::SQS::Queue', 'SpillDeadLetters')],
  };
};
const DAY_SECONDS = 24 * 3600;
const COLLECTOR_ROLES = 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/*';
const REDRIVE_ROLE = 'arn:aws:iam::111111111111:role/operations';

describe('SpillQueue on its own', () => {
  const defaults = spillTemplate();
  const { queue, deadLetters } = queuesOf(defaults);

  describe('by default', () => {
    it('keeps messages in both queues for SPILL_QUEUE_DEFAULTS.retentionDays', () => {
      expect(queue?.Properties.MessageRetentionPeriod).toBe(SPILL_QUEUE_DEFAULTS.retentionDays * DAY_SECONDS);
      expect(deadLetters?.Properties.MessageRetentionPeriod).toBe(
        SPILL_QUEUE_DEFAULTS.retentionDays * DAY_SECONDS,
      );
    });

    it('moves a message to the dead-letter queue after SPILL_QUEUE_DEFAULTS.maxReceiveCount receives', () => {
      expect(queue?.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^SpillDeadLetters/), 'Arn'] },
        maxReceiveCount: SPILL_QUEUE_DEFAULTS.maxReceiveCount,
      });
    });

    it('hides a received message for SPILL_QUEUE_DEFAULTS.visibilityTimeoutMinutes', () => {
      expect(queue?.Properties.VisibilityTimeout).toBe(SPILL_QUEUE_DEFAULTS.visibilityTimeoutMinutes * 60);
    });

    it('retains both queues when they leave the stack', () => {
      expect([queue?.DeletionPolicy, deadLetters?.DeletionPolicy]).toEqual(['Retain', 'Retain']);
    });

    it('encrypts both queues with the SQS-managed key, takes 1 MiB messages and has generated names', () => {
      for (const properties of propertiesOf(defaults, 'AWS::SQS::Queue')) {
        expect(properties).toMatchObject({ SqsManagedSseEnabled: true, MaximumMessageSize: 1_048_576 });
        expect(properties.KmsMasterKeyId).toBeUndefined();
        expect(properties.QueueName).toBeUndefined();
      }
      defaults.resourceCountIs('AWS::KMS::Key', 0);
    });

    it('denies plain-HTTP requests to both queues and restricts no principal', () => {
      const policies = propertiesOf(defaults, 'AWS::SQS::QueuePolicy');
      expect(policies).toHaveLength(2);
      for (const policy of policies) {
        expect(policy.PolicyDocument.Statement).toEqual([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]);
      }
    });
  });

  it('leaves the dead-letter queue without a RedriveAllowPolicy and acknowledges that finding on it, with its reason', () => {
    const spill = new SpillQueue(bareStack(), 'Spill');

    const acknowledged = spill.deadLetterQueue.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .map((entry) => entry.data as Record<string, string>);

    expect(deadLetters?.Properties.RedriveAllowPolicy).toBeUndefined();
    expect(acknowledged).toEqual([
      {
        [`Annotation::${SPILL_DLQ_REDRIVE_ALLOW_POLICY_ID}`]: expect.stringMatching(
          /dependency cycle.*replace both retained queues/,
        ),
      },
    ]);
  });

  describe('overridden', () => {
    const overridden = spillTemplate({
      retention: Duration.days(4),
      maxReceiveCount: 10,
      visibilityTimeout: Duration.minutes(2),
      removalPolicy: RemovalPolicy.DESTROY,
      customerManagedKey: true,
      allowedPrincipalArns: [COLLECTOR_ROLES, REDRIVE_ROLE],
    });
    const custom = queuesOf(overridden);

    it('keeps messages for the retention given', () => {
      expect(custom.queue?.Properties.MessageRetentionPeriod).toBe(4 * DAY_SECONDS);
      expect(custom.deadLetters?.Properties.MessageRetentionPeriod).toBe(4 * DAY_SECONDS);
    });

    it('moves a message to the dead-letter queue after the receives given', () => {
      expect(custom.queue?.Properties.RedrivePolicy.maxReceiveCount).toBe(10);
    });

    it('hides a received message for the visibility timeout given', () => {
      expect(custom.queue?.Properties.VisibilityTimeout).toBe(120);
    });

    it('deletes both queues with the stack under RemovalPolicy.DESTROY', () => {
      expect([custom.queue?.DeletionPolicy, custom.deadLetters?.DeletionPolicy]).toEqual([
        'Delete',
        'Delete',
      ]);
    });

    it('encrypts both queues with a new rotated key that is retained even when the queues are not', () => {
      const key = onlyResource(overridden, 'AWS::KMS::Key');

      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      overridden.allResourcesProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
      });
    });

    it('denies the message actions to every principal but the ones allowed, on each queue', () => {
      const policies = propertiesOf(overridden, 'AWS::SQS::QueuePolicy');

      expect(policies).toHaveLength(2);
      for (const policy of policies) {
        expect(policy.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Sid: 'OnlyTheCollectorAndTheRedriveTouchSpilledEvents',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [...SPILL_MESSAGE_ACTIONS].sort(),
            Condition: { ArnNotLike: { 'aws:PrincipalArn': [COLLECTOR_ROLES, REDRIVE_ROLE] } },
          }),
        );
      }
    });
  });

  it.each([
    [
      'a retention under a minute',
      { retention: Duration.seconds(59) },
      /retention must be from 1 minute to 14 days/,
    ],
    [
      'a retention over 14 days',
      { retention: Duration.days(15) },
      /retention must be from 1 minute to 14 days/,
    ],
    ['0 receives', { maxReceiveCount: 0 }, /maxReceiveCount must be a whole number from 1 to 1000/],
    ['1001 receives', { maxReceiveCount: 1001 }, /maxReceiveCount must be a whole number from 1 to 1000/],
    ['an empty list of allowed principals', { allowedPrincipalArns: [] }, /must name at least one principal/],
  ])('refuses %s, saying what it must be', (_, props, message) => {
    expect(() => spillTemplate(props)).toThrow(message);
  });
});
