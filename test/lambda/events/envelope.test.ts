import { type Receipt, toEnvelope } from '../../../lambda/events/envelope';
import type { SegmentEvent } from '../../../lambda/events/segment-event';
import { validateEvent } from '../../../lambda/events/validate-event';
import { browserTrack, nodeBatch, rudderTrack } from './sdk-messages';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const receipt: Receipt = {
  receivedAt: Date.parse('2026-11-21T23:15:26.000Z'),
  sourceId: 'web-shop',
  sourceIp: '203.0.113.7',
};

/** A message through validation, as the use case does it. */
function validated(message: unknown, sentAt?: string): SegmentEvent {
  const validation = validateEvent(message, sentAt === undefined ? {} : { sentAt });
  if (!validation.ok) throw new Error(validation.reason);
  return validation.event;
}

describe('toEnvelope', () => {
  it('has every field of the schema, with null for the absent ones', () => {
    // Prepare
    const event = validated({ type: 'identify', userId: 'user-1' });

    // Act
    const envelope = toEnvelope(
      event,
      { receivedAt: receipt.receivedAt, sourceId: 'web-shop' },
      'main-stream',
    );

    // Assess
    expect(Object.keys(envelope).sort()).toEqual(
      [
        'event_id',
        'type',
        'event',
        'name',
        'anonymous_id',
        'user_id',
        'group_id',
        'previous_id',
        'timestamp',
        'original_timestamp',
        'sent_at',
        'received_at',
        'context',
        'properties',
        'traits',
        'source_id',
        'integration_id',
      ].sort(),
    );
    expect(envelope).toMatchObject({
      type: 'identify',
      event: null,
      name: null,
      anonymous_id: null,
      user_id: 'user-1',
      group_id: null,
      previous_id: null,
      original_timestamp: null,
      sent_at: null,
      properties: null,
      traits: null,
      context: {},
    });
  });

  it('survives JSON serialisation with the null fields kept', () => {
    // Prepare
    const event = validated({ type: 'identify', userId: 'user-1' });

    // Act
    const document = JSON.parse(JSON.stringify(toEnvelope(event, receipt, 'main-stream')));

    // Assess
    expect(document).toHaveProperty('group_id', null);
    expect(document).toHaveProperty('sent_at', null);
    expect(Object.keys(document)).toHaveLength(17);
  });

  it('maps an analytics-next track call field by field', () => {
    // Prepare
    const event = validated(browserTrack());

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope).toMatchObject({
      event_id: 'ajs-next-1795302924990-048d8f1d-61d8-4f5c-8b25-aa9860ae5fc7',
      type: 'track',
      event: 'Order Completed',
      user_id: 'user-b1',
      anonymous_id: '8d8f1d61-d8af-4c4b-a5aa-9860ae5fc7f2',
      original_timestamp: '2026-11-21T23:15:24.990Z',
      sent_at: '2026-11-21T23:15:25.052Z',
      received_at: '2026-11-21T23:15:26.000Z',
      properties: { revenue: 9.99, marker: 'b-track', unicode: 'héllo — 日本語 🎉' },
      traits: null,
      source_id: 'web-shop',
      integration_id: 'main-stream',
    });
  });

  it('corrects the timestamp for clock skew: received_at - (sent_at - timestamp)', () => {
    // Prepare: sent 62 ms after the event, received at 23:15:26.000
    const event = validated(browserTrack());

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.timestamp).toBe('2026-11-21T23:15:25.938Z');
  });

  it("corrects RudderStack's originalTimestamp with its sentAt and keeps it as original_timestamp", () => {
    // Prepare: sentAt 2026-11-21T23:18:37.815Z, originalTimestamp 4 ms earlier; client clock 10 min behind
    const event = validated(rudderTrack());
    const receivedAt = Date.parse('2026-11-21T23:28:37.815Z');

    // Act
    const envelope = toEnvelope(event, { receivedAt, sourceId: 'rs' }, 'main-stream');

    // Assess
    expect(envelope.timestamp).toBe('2026-11-21T23:28:37.811Z');
    expect(envelope.original_timestamp).toBe('2026-11-21T23:18:37.811Z');
    expect(envelope.user_id).toBeNull();
  });

  it("corrects a batch message's timestamp with the batch's sentAt", () => {
    // Prepare: analytics-node message of 2026-11-21T22:47:24.109Z, batch sent 3 ms later
    const { batch, sentAt } = nodeBatch();
    const event = validated(batch[1], sentAt);
    const receivedAt = Date.parse('2026-11-21T22:47:25.000Z');

    // Act
    const envelope = toEnvelope(event, { receivedAt, sourceId: 'node' }, 'main-stream');

    // Assess
    expect(envelope.timestamp).toBe('2026-11-21T22:47:24.997Z');
    expect(envelope.sent_at).toBe('2026-11-21T22:47:24.112Z');
  });

  it("normalises the client's timestamp to UTC ISO when there is no sentAt", () => {
    // Prepare
    const event = validated({
      type: 'track',
      event: 'E',
      userId: 'u',
      timestamp: '2024-01-02T04:04:05+01:00',
    });

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.timestamp).toBe('2024-01-02T03:04:05.000Z');
    expect(envelope.original_timestamp).toBe('2024-01-02T04:04:05+01:00');
  });

  it('normalises sent_at to UTC ISO', () => {
    // Prepare
    const event = validated({
      type: 'track',
      event: 'E',
      userId: 'u',
      sentAt: '2024-01-02 04:04:05.5+01:00',
    });

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.sent_at).toBe('2024-01-02T03:04:05.500Z');
  });

  it('uses received_at as the timestamp when the event has none', () => {
    // Prepare
    const event = validated({ type: 'page', anonymousId: 'a-1', sentAt: '2024-01-02T03:04:05Z' });

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.timestamp).toBe('2026-11-21T23:15:26.000Z');
    expect(envelope.received_at).toBe('2026-11-21T23:15:26.000Z');
    expect(envelope.original_timestamp).toBeNull();
  });

  it('generates a UUID v4 event_id when the message has no messageId, a new one per event', () => {
    // Prepare
    const event = validated({ type: 'track', event: 'E', userId: 'u' });

    // Act
    const first = toEnvelope(event, receipt, 'main-stream');
    const second = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(first.event_id).toMatch(UUID_V4);
    expect(second.event_id).toMatch(UUID_V4);
    expect(first.event_id).not.toBe(second.event_id);
  });

  it('adds context.ip from the source IP when the context has none, keeping the rest', () => {
    // Prepare
    const event = validated(browserTrack());

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.context.ip).toBe('203.0.113.7');
    expect(envelope.context.locale).toBe('en-US');
    expect(event.context?.ip).toBeUndefined();
  });

  it('adds context.ip to an event that has no context at all', () => {
    // Prepare
    const event = validated({ type: 'track', event: 'E', userId: 'u' });

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.context).toEqual({ ip: '203.0.113.7' });
  });

  it("does not overwrite the client's own context.ip", () => {
    // Prepare: analytics-node lets the caller set context.ip
    const event = validated(nodeBatch().batch[0]);

    // Act
    const envelope = toEnvelope(event, receipt, 'main-stream');

    // Assess
    expect(envelope.context.ip).toBe('1.2.3.4');
  });

  it('leaves context.ip absent when the source IP is unknown', () => {
    // Prepare
    const event = validated({ type: 'track', event: 'E', userId: 'u' });

    // Act
    const envelope = toEnvelope(
      event,
      { receivedAt: receipt.receivedAt, sourceId: 'web-shop' },
      'main-stream',
    );

    // Assess
    expect(envelope.context).toEqual({});
  });

  it('writes the group and alias ids', () => {
    // Prepare
    const group = validated({ type: 'group', userId: 'u', groupId: 'acme', traits: { plan: 'pro' } });
    const alias = validated({ type: 'alias', userId: 'u', previousId: 'anon-1' });

    // Act
    const groupEnvelope = toEnvelope(group, receipt, 'main-stream');
    const aliasEnvelope = toEnvelope(alias, receipt, 'main-stream');

    // Assess
    expect(groupEnvelope).toMatchObject({ group_id: 'acme', traits: { plan: 'pro' }, previous_id: null });
    expect(aliasEnvelope).toMatchObject({ previous_id: 'anon-1', group_id: null });
  });

  it('names the source and the destination it is written to', () => {
    // Prepare
    const event = validated({ type: 'screen', anonymousId: 'a', name: 'Home' });

    // Act
    const toMain = toEnvelope(event, { ...receipt, sourceId: 'ios-app' }, 'main-stream');
    const toArchive = toEnvelope(event, { ...receipt, sourceId: 'ios-app' }, 'archive-stream');

    // Assess
    expect([toMain.source_id, toMain.integration_id]).toEqual(['ios-app', 'main-stream']);
    expect([toArchive.source_id, toArchive.integration_id]).toEqual(['ios-app', 'archive-stream']);
    expect(toMain.name).toBe('Home');
  });
});

describe('context.ip placeholders', () => {
  it.each([null, ''])('fills context.ip from the request when the client sent %p', (ip) => {
    const envelope = toEnvelope(
      { type: 'track', userId: 'u-1', event: 'E', context: { ip } },
      { receivedAt: Date.parse('2024-01-02T03:04:05.000Z'), sourceId: 's', sourceIp: '203.0.113.7' },
      'd',
    );
    expect(envelope.context.ip).toBe('203.0.113.7');
  });
});

describe('RudderStack identify traits', () => {
  const receipt = { receivedAt: Date.parse('2024-01-02T03:04:05.000Z'), sourceId: 's' };

  it('takes the traits of an identify from context.traits when the message has none on top', () => {
    const envelope = toEnvelope(
      { type: 'identify', userId: 'u-1', context: { traits: { email: 'r@r.c' } } },
      receipt,
      'd',
    );
    expect(envelope.traits).toEqual({ email: 'r@r.c' });
  });

  it('keeps top-level traits over context.traits, and leaves other types alone', () => {
    const identify = toEnvelope(
      { type: 'identify', userId: 'u-1', traits: { plan: 'pro' }, context: { traits: { email: 'r@r.c' } } },
      receipt,
      'd',
    );
    const track = toEnvelope(
      { type: 'track', userId: 'u-1', event: 'E', context: { traits: { email: 'r@r.c' } } },
      receipt,
      'd',
    );
    expect([identify.traits, track.traits]).toEqual([{ plan: 'pro' }, null]);
  });
});

describe('the overflow mark', () => {
  it('drops an overflow or replayed_at mark the client sent, keeping the rest of its kinesis_event_forwarder context', () => {
    // Prepare
    const event = validated({
      type: 'track',
      event: 'E',
      userId: 'user-1',
      context: {
        kinesis_event_forwarder: { overflow: true, replayed_at: '2026-12-06T20:00:00Z', test: true },
      },
    });

    // Act
    const envelope = toEnvelope(event, receipt, 'main');

    // Assess
    expect(envelope.context).toEqual({ ip: '203.0.113.7', kinesis_event_forwarder: { test: true } });
  });
});
