import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EVENT_STREAM_DEFAULTS } from '../../../lib/config/construct-defaults';
import { EventStream, type EventStreamProps } from '../../../lib/constructs/event-stream';
import { onlyResource, templateWith } from '../support/template-assertions';

const streamTemplate = (props?: EventStreamProps): Template =>
  templateWith((stack) => new EventStream(stack, 'Events', props));
const streamOf = (template: Template) => onlyResource(template, 'AWS::Kinesis::Stream').Properties;

describe('EventStream on its own', () => {
  const defaults = streamTemplate();

  describe('by default', () => {
    it('is on demand, with no shard count', () => {
      expect(streamOf(defaults)).toMatchObject({ StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
      expect(streamOf(defaults).ShardCount).toBeUndefined();
    });

    it('keeps records for EVENT_STREAM_DEFAULTS.retentionHours', () => {
      expect(streamOf(defaults).RetentionPeriodHours).toBe(EVENT_STREAM_DEFAULTS.retentionHours);
    });

    it('is encrypted with the AWS-managed aws/kinesis key, and creates no key', () => {
      expect(EVENT_STREAM_DEFAULTS.customerManagedKey).toBe(false);
      expect(streamOf(defaults).StreamEncryption).toEqual({
        EncryptionType: 'KMS',
        KeyId: 'alias/aws/kinesis',
      });
      defaults.resourceCountIs('AWS::KMS::Key', 0);
    });
  });

  describe('overridden', () => {
    it('is provisioned with the shard count given', () => {
      expect(streamOf(streamTemplate({ shardCount: 4 }))).toMatchObject({
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ShardCount: 4,
      });
    });

    it('keeps records for the retention given', () => {
      expect(streamOf(streamTemplate({ retention: Duration.days(7) })).RetentionPeriodHours).toBe(168);
    });

    it('is encrypted with a new, yearly rotated key when customerManagedKey is true', () => {
      const template = streamTemplate({ customerManagedKey: true });

      const key = onlyResource(template, 'AWS::KMS::Key');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(streamOf(template).StreamEncryption).toEqual({
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
      });
    });

    it('is encrypted with the shared key given, and creates none of its own', () => {
      const template = templateWith((stack) => {
        const sharedKey = new kms.Key(stack, 'SharedKey');
        new EventStream(stack, 'Events', { sharedKey, customerManagedKey: true });
      });

      const key = onlyResource(template, 'AWS::KMS::Key');
      expect(key.logicalId).toMatch(/^SharedKey/);
      expect(streamOf(template).StreamEncryption).toEqual({
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
      });
    });
  });

  it.each([[0], [-1], [1.5]])('refuses shardCount %p, saying what it must be', (shardCount) => {
    expect(() => streamTemplate({ shardCount })).toThrow(
      `EventStream: shardCount must be a whole number >= 1, got ${shardCount}`,
    );
  });
});
