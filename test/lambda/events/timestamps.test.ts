import { correctedTimestamp, parseIsoTimestamp } from '../../../lambda/events/timestamps';

const at = (iso: string) => Date.parse(iso);

describe('parseIsoTimestamp', () => {
  it('reads a UTC date-time to epoch milliseconds', () => {
    // Act
    const millis = parseIsoTimestamp('2024-01-02T03:04:05.678Z');

    // Assess
    expect(millis).toBe(1_704_164_645_678);
  });

  it('applies the offset of a zoned date-time', () => {
    // Act
    const millis = parseIsoTimestamp('2024-01-02T04:04:05.678+01:00');

    // Assess
    expect(millis).toBe(at('2024-01-02T03:04:05.678Z'));
  });

  it('reads the space separator and the decimal comma of RFC 3339 / ISO-8601', () => {
    // Act
    const spaced = parseIsoTimestamp('2024-01-02 03:04:05.678Z');
    const comma = parseIsoTimestamp('2024-01-02T03:04:05,678Z');

    // Assess
    expect(spaced).toBe(at('2024-01-02T03:04:05.678Z'));
    expect(comma).toBe(at('2024-01-02T03:04:05.678Z'));
  });

  it('reads a date without a zone as UTC whatever the host time zone is', () => {
    // Prepare
    const hostZone = process.env.TZ;
    process.env.TZ = 'America/New_York';

    // Act
    let millis: number | undefined;
    try {
      millis = parseIsoTimestamp('2024-01-02T03:04:05');
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }

    // Assess
    expect(millis).toBe(at('2024-01-02T03:04:05Z'));
  });

  it.each([['yesterday'], ['2024-13-01T00:00:00Z'], ['2024-02-30T00:00:00Z'], ['2023-02-29'], ['']])(
    'returns undefined for %p',
    (value) => {
      // Act
      const millis = parseIsoTimestamp(value);

      // Assess
      expect(millis).toBeUndefined();
    },
  );
});

describe('correctedTimestamp', () => {
  it('removes the client clock skew: received_at - (sent_at - timestamp)', () => {
    // Prepare: the client's clock is 1 h behind; the event happened 3 s before it was sent.
    const receivedAt = at('2024-06-01T12:00:10.000Z');
    const timestamp = at('2024-06-01T11:00:05.000Z');
    const sentAt = at('2024-06-01T11:00:08.000Z');

    // Act
    const corrected = correctedTimestamp(receivedAt, timestamp, sentAt);

    // Assess
    expect(new Date(corrected).toISOString()).toBe('2024-06-01T12:00:07.000Z');
  });

  it('corrects a client clock that runs ahead', () => {
    // Prepare: client clock 2 days ahead; event 250 ms before sending.
    const receivedAt = at('2024-06-01T00:00:00.000Z');
    const timestamp = at('2024-06-02T23:59:59.750Z');
    const sentAt = at('2024-06-03T00:00:00.000Z');

    // Act
    const corrected = correctedTimestamp(receivedAt, timestamp, sentAt);

    // Assess
    expect(new Date(corrected).toISOString()).toBe('2024-05-31T23:59:59.750Z');
  });

  it("keeps the client's timestamp when there is no sentAt", () => {
    // Prepare
    const receivedAt = at('2024-06-01T12:00:00.000Z');
    const timestamp = at('2020-01-01T00:00:00.000Z');

    // Act
    const corrected = correctedTimestamp(receivedAt, timestamp);

    // Assess
    expect(corrected).toBe(timestamp);
  });

  it('uses the receive time when the event has no timestamp', () => {
    // Prepare
    const receivedAt = at('2024-06-01T12:00:00.000Z');

    // Act
    const corrected = correctedTimestamp(receivedAt, undefined, at('2024-06-01T11:00:00.000Z'));

    // Assess
    expect(corrected).toBe(receivedAt);
  });

  it("keeps the client's timestamp when the correction would leave the range of dates", () => {
    // Prepare
    const receivedAt = at('2024-06-01T12:00:00.000Z');
    const timestamp = at('-271821-04-20T00:00:00.000Z');
    const sentAt = at('+275760-09-13T00:00:00.000Z');

    // Act
    const corrected = correctedTimestamp(receivedAt, timestamp, sentAt);

    // Assess
    expect(corrected).toBe(timestamp);
    expect(() => new Date(corrected).toISOString()).not.toThrow();
  });
});
