import { toSegmentRecord } from '../../../lambda/events/segment-record';
import { validateEvent } from '../../../lambda/events/validate-event';

describe('the segment record format', () => {
  const receipt = {
    receivedAt: Date.parse('2026-11-21T23:15:25.100Z'),
    sourceId: 'web',
    sourceIp: '203.0.113.7',
  };

  it('keeps the message as received, without its write key, and adds what Segment adds', () => {
    const message = {
      type: 'track',
      event: 'Order Completed',
      userId: 'u-1',
      writeKey: 'secret-key',
      integrations: { All: true },
      _metadata: { bundled: ['Segment.io'] },
      channel: 'web',
      timestamp: '2026-11-21T23:15:24.990Z',
      sentAt: '2026-11-21T23:15:25.052Z',
      context: { library: { name: 'analytics.js' } },
    };
    const validation = validateEvent(message);
    if (!validation.ok) throw new Error(validation.reason);

    const record = toSegmentRecord(message, validation.event, receipt, 'generated-id');

    expect(record).toEqual({
      type: 'track',
      event: 'Order Completed',
      userId: 'u-1',
      integrations: { All: true },
      _metadata: { bundled: ['Segment.io'] },
      channel: 'web',
      messageId: 'generated-id',
      timestamp: '2026-11-21T23:15:25.038Z',
      originalTimestamp: '2026-11-21T23:15:24.990Z',
      sentAt: '2026-11-21T23:15:25.052Z',
      receivedAt: '2026-11-21T23:15:25.100Z',
      context: { library: { name: 'analytics.js' }, ip: '203.0.113.7' },
    });
  });
});
