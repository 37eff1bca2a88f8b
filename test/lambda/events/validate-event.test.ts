import fc from 'fast-check';
import type { JsonObject } from '../../../lambda/events/segment-event';
import { type EventValidation, validateEvent } from '../../../lambda/events/validate-event';
import { browserTrack, nodeBatch, rudderTrack } from './sdk-messages';

/** The reason of a refusal; fails the test when the message was accepted. */
function reasonOf(validation: EventValidation): string {
  if (validation.ok) throw new Error(`expected a refusal, got ${JSON.stringify(validation.event)}`);
  return validation.reason;
}

/** The event of an acceptance; fails the test with the reason when the message was refused. */
function eventOf(validation: EventValidation) {
  if (!validation.ok) throw new Error(`expected an acceptance, got "${validation.reason}"`);
  return validation.event;
}

/** A real analytics-next track message with some fields changed (`undefined` deletes a field). */
function track(changes: Record<string, unknown> = {}): JsonObject {
  const message = browserTrack();
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) delete message[field];
    else message[field] = value;
  }
  return message;
}

describe('validateEvent', () => {
  describe('accepting what real SDKs send', () => {
    it('accepts an analytics-next track call and keeps its fields', () => {
      // Prepare
      const message = browserTrack();

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'track' }));

      // Assess
      expect(event).toMatchObject({
        type: 'track',
        event: 'Order Completed',
        userId: 'user-b1',
        anonymousId: '8d8f1d61-d8af-4c4b-a5aa-9860ae5fc7f2',
        messageId: 'ajs-next-1795302924990-048d8f1d-61d8-4f5c-8b25-aa9860ae5fc7',
        timestamp: '2026-11-21T23:15:24.990Z',
        sentAt: '2026-11-21T23:15:25.052Z',
        properties: { revenue: 9.99, marker: 'b-track', unicode: 'héllo — 日本語 🎉' },
      });
      expect(event.context).toEqual(message.context);
    });

    it('accepts a RudderStack track call whose userId is "" and treats that userId as absent', () => {
      // Prepare
      const message = rudderTrack();

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'track' }));

      // Assess
      expect(event.userId).toBeUndefined();
      expect(event.anonymousId).toBe('46205e12-802d-410b-90e1-382d814cc18a');
    });

    it("uses RudderStack's originalTimestamp as the timestamp when timestamp is absent", () => {
      // Prepare
      const message = rudderTrack();

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.timestamp).toBe('2026-11-21T23:18:37.811Z');
    });

    it('prefers timestamp over originalTimestamp when both are present', () => {
      // Prepare
      const message = track({ originalTimestamp: '2020-01-01T00:00:00.000Z' });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.timestamp).toBe('2026-11-21T23:15:24.990Z');
    });

    it("uses the batch's sentAt for a message that has none (analytics-node)", () => {
      // Prepare
      const { batch, sentAt } = nodeBatch();

      // Act
      const events = batch.map((message) => eventOf(validateEvent(message, { sentAt })));

      // Assess
      expect(batch.map((message) => message.sentAt)).toEqual([undefined, undefined]);
      expect(events.map((event) => event.sentAt)).toEqual([
        '2026-11-21T22:47:24.112Z',
        '2026-11-21T22:47:24.112Z',
      ]);
    });

    it("keeps a message's own sentAt over the batch's", () => {
      // Prepare
      const message = track({ sentAt: '2026-11-21T23:15:25.052Z' });

      // Act
      const event = eventOf(validateEvent(message, { sentAt: '2030-01-01T00:00:00.000Z' }));

      // Assess
      expect(event.sentAt).toBe('2026-11-21T23:15:25.052Z');
    });
  });

  describe('type', () => {
    it.each([['track'], ['identify'], ['page'], ['screen'], ['group'], ['alias']])(
      'accepts the known type %s in a batch',
      (type) => {
        // Prepare
        const message = track({ type, groupId: 'g-1', previousId: 'anon-1' });

        // Act
        const event = eventOf(validateEvent(message));

        // Assess
        expect(event.type).toBe(type);
      },
    );

    it('refuses an unknown type and lists the known ones', () => {
      // Prepare
      const message = track({ type: 'purchase' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('type must be one of track, identify, page, screen, group, alias');
    });

    it.each([[undefined], [null], ['']])('refuses a batch message whose type is %p', (type) => {
      // Prepare
      const message = track({ type });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('type is required (one of track, identify, page, screen, group, alias)');
    });

    it('refuses a type that is not a string', () => {
      // Prepare
      const message = track({ type: 1 });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toMatch(/^type must be one of/);
    });

    it('takes the type from a single-event endpoint when the body has none', () => {
      // Prepare
      const message = track({ type: undefined });

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'track' }));

      // Assess
      expect(event.type).toBe('track');
    });

    it('takes the type from a single-event endpoint when the body type is null', () => {
      // Prepare
      const message = track({ type: null });

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'track' }));

      // Assess
      expect(event.type).toBe('track');
    });

    it('refuses a body type that does not match the single-event endpoint, naming both', () => {
      // Prepare
      const message = track({ type: 'identify' });

      // Act
      const reason = reasonOf(validateEvent(message, { endpointType: 'track' }));

      // Assess
      expect(reason).toBe('type "identify" does not match the endpoint, which takes track');
    });

    it('refuses a message that is not a JSON object', () => {
      // Prepare
      const messages: unknown[] = [null, 'track', 42, [browserTrack()]];

      // Act
      const reasons = messages.map((message) => reasonOf(validateEvent(message)));

      // Assess
      expect(reasons).toEqual(Array(4).fill('event must be a JSON object'));
    });
  });

  describe('userId and anonymousId', () => {
    const missingIds = 'userId or anonymousId is required (empty strings count as absent)';

    it('refuses a message with neither userId nor anonymousId', () => {
      // Prepare
      const message = track({ userId: undefined, anonymousId: undefined });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe(missingIds);
    });

    it.each([
      ['""', ''],
      ['null', null],
    ])('counts %s ids as absent (analytics-node can send "userId":"","anonymousId":"")', (_, empty) => {
      // Prepare
      const message = track({ userId: empty, anonymousId: empty });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe(missingIds);
    });

    it('accepts a message with only a userId', () => {
      // Prepare
      const message = track({ anonymousId: undefined });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event).toMatchObject({ userId: 'user-b1', anonymousId: undefined });
    });

    it('accepts a message with only an anonymousId and leaves userId undefined, not ""', () => {
      // Prepare
      const message = track({ userId: '' });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.userId).toBeUndefined();
      expect(event.anonymousId).toBe('8d8f1d61-d8af-4c4b-a5aa-9860ae5fc7f2');
    });

    it('turns numeric ids into their string form, as Segment does', () => {
      // Prepare
      const message = track({ userId: 12345, anonymousId: 0, type: 'group', groupId: 7.5 });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event).toMatchObject({ userId: '12345', anonymousId: '0', groupId: '7.5' });
    });

    it.each([
      ['userId', { userId: true }],
      ['userId', { userId: { id: 1 } }],
      ['userId', { userId: ['u1'] }],
      ['userId', { userId: Number.NaN }],
      ['anonymousId', { anonymousId: false }],
      ['groupId', { type: 'group', groupId: { id: 'g' } }],
      ['previousId', { type: 'alias', previousId: ['a'] }],
    ])('refuses a non-string %s and names it', (field, changes) => {
      // Prepare
      const message = track(changes);

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe(`${field} must be a string`);
    });
  });

  describe('fields each type requires', () => {
    it('refuses a track without event', () => {
      // Prepare
      const message = track({ event: undefined });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('track requires a non-empty event');
    });

    it('refuses a track whose event is ""', () => {
      // Prepare
      const message = track({ event: '' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('track requires a non-empty event');
    });

    it('refuses a track whose event is not a string', () => {
      // Prepare
      const message = track({ event: 42 });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('event must be a string');
    });

    it('does not require event for identify', () => {
      // Prepare
      const message = track({ type: 'identify', event: undefined, traits: { email: 'a@b.c' } });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event).toMatchObject({ type: 'identify', traits: { email: 'a@b.c' } });
    });

    it('refuses a group without groupId', () => {
      // Prepare
      const message = track({ type: 'group', event: undefined, groupId: '' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('group requires a non-empty groupId');
    });

    it('accepts a group with a groupId', () => {
      // Prepare
      const message = track({ type: 'group', event: undefined, groupId: 'acme' });

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'group' }));

      // Assess
      expect(event).toMatchObject({ type: 'group', groupId: 'acme' });
    });

    it('refuses an alias without previousId', () => {
      // Prepare
      const message = track({ type: 'alias', event: undefined });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('alias requires a non-empty previousId');
    });

    it('refuses an alias with an anonymousId but no userId', () => {
      // Prepare
      const message = track({ type: 'alias', event: undefined, userId: '', previousId: 'anon-1' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('alias requires a non-empty userId');
    });

    it('accepts an alias with userId and previousId', () => {
      // Prepare
      const message = track({ type: 'alias', event: undefined, previousId: 'anon-1' });

      // Act
      const event = eventOf(validateEvent(message, { endpointType: 'alias' }));

      // Assess
      expect(event).toMatchObject({ type: 'alias', userId: 'user-b1', previousId: 'anon-1' });
    });

    it('accepts a page with a name and refuses a name that is not a string', () => {
      // Prepare
      const page = track({ type: 'page', event: undefined, name: 'Home' });
      const badName = track({ type: 'page', event: undefined, name: 3 });

      // Act
      const event = eventOf(validateEvent(page));
      const reason = reasonOf(validateEvent(badName));

      // Assess
      expect(event.name).toBe('Home');
      expect(reason).toBe('name must be a string');
    });

    it('refuses a messageId that is not a string', () => {
      // Prepare
      const message = track({ messageId: 17 });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('messageId must be a string');
    });

    it('treats a messageId of "" as absent', () => {
      // Prepare
      const message = track({ messageId: '' });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.messageId).toBeUndefined();
    });
  });

  describe('object fields', () => {
    it.each([['properties'], ['traits'], ['context']])(
      'refuses %s given as an array and names it',
      (field) => {
        // Prepare
        const message = track({ [field]: [{ a: 1 }] });

        // Act
        const reason = reasonOf(validateEvent(message));

        // Assess
        expect(reason).toBe(`${field} must be an object`);
      },
    );

    it.each([['properties'], ['traits'], ['context']])('refuses %s given as a string', (field) => {
      // Prepare
      const message = track({ [field]: 'revenue=9.99' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe(`${field} must be an object`);
    });

    it('accepts null object fields as absent', () => {
      // Prepare
      const message = track({ properties: null, traits: null, context: null });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event).toMatchObject({ properties: undefined, traits: undefined, context: undefined });
    });

    it('keeps nested objects as sent', () => {
      // Prepare
      const message = track({ traits: { address: { city: 'Oslo', lines: ['a', 'b'] } } });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.traits).toEqual({ address: { city: 'Oslo', lines: ['a', 'b'] } });
    });
  });

  describe('timestamps', () => {
    it.each([
      ['2024-01-02'],
      ['2024-01-02T03:04:05Z'],
      ['2024-01-02T03:04:05.678Z'],
      ['2024-01-02T03:04:05.678+01:00'],
      ['2024-01-02T03:04:05-0130'],
      ['2024-01-02 03:04:05.678Z'],
      ['2024-01-02T03:04:05.123456789Z'],
      ['2024-01-02T03:04:05,5Z'],
      ['2024-02-29T00:00:00Z'],
    ])('accepts the ISO-8601 timestamp %s', (timestamp) => {
      // Prepare
      const message = track({ timestamp });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.timestamp).toBe(timestamp);
    });

    it.each([
      ['yesterday'],
      ['2024-13-01T00:00:00Z'],
      ['2024-00-10T00:00:00Z'],
      ['2024-01-32T00:00:00Z'],
      ['2024-01-02T24:00:00Z'],
      ['2024-01-02T03:60:00Z'],
      ['2023-02-29T00:00:00Z'],
      ['2024-02-30'],
      ['2024-04-31T10:00:00Z'],
      ['01/02/2024'],
      ['Tue, 02 Jan 2024 03:04:05 GMT'],
      ['2024-01-02T03:04:05Z trailing'],
      [1704164645678],
      [{ iso: '2024-01-02' }],
    ])('refuses the timestamp %p and names the field', (timestamp) => {
      // Prepare
      const message = track({ timestamp });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toBe('timestamp must be an ISO-8601 date-time string (e.g. 2024-01-02T03:04:05.678Z)');
    });

    it('refuses an epoch-number originalTimestamp and names originalTimestamp', () => {
      // Prepare
      const message = rudderTrack();
      message.originalTimestamp = 1795303117811;

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toMatch(/^originalTimestamp must be an ISO-8601 date-time string/);
    });

    it('refuses a bad sentAt and names sentAt', () => {
      // Prepare
      const message = track({ sentAt: 'now' });

      // Act
      const reason = reasonOf(validateEvent(message));

      // Assess
      expect(reason).toMatch(/^sentAt must be an ISO-8601 date-time string/);
    });

    it('treats an empty timestamp as absent', () => {
      // Prepare
      const message = track({ timestamp: '' });

      // Act
      const event = eventOf(validateEvent(message));

      // Assess
      expect(event.timestamp).toBeUndefined();
    });
  });

  it('answers every JSON value with an event or a reason, never an exception', () => {
    // Prepare: real messages with any field replaced by any JSON value, and arbitrary JSON
    const fields = [
      'type',
      'userId',
      'anonymousId',
      'event',
      'groupId',
      'previousId',
      'messageId',
      'name',
      'timestamp',
      'originalTimestamp',
      'sentAt',
      'properties',
      'traits',
      'context',
    ];
    const messages = fc.oneof(
      fc.jsonValue(),
      fc.record({ field: fc.constantFrom(...fields), value: fc.jsonValue() }).map(({ field, value }) => ({
        ...browserTrack(),
        [field]: value,
      })),
    );
    const endpointTypes = fc.constantFrom(undefined, 'track', 'identify', 'group', 'alias' as const);

    // Act and Assess
    fc.assert(
      fc.property(messages, endpointTypes, (message, endpointType) => {
        const validation = validateEvent(message, endpointType === undefined ? {} : { endpointType });
        if (validation.ok) expect(validation.event.type).toBeDefined();
        else expect(validation.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('an empty type on a single-event endpoint', () => {
  it('counts as absent, so the endpoint decides the type', () => {
    const result = validateEvent({ type: '', userId: 'u-1', event: 'E' }, { endpointType: 'track' });
    expect(result).toEqual({ ok: true, event: expect.objectContaining({ type: 'track' }) });
  });
});
