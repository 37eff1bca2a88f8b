import { createHmac } from 'node:crypto';
import { LOCAL_DEV_HASH_KEY } from '../../../lambda/events/field-rules';
import { filterReason, redact, runSourceStages, type SourcePipeline } from '../../../lambda/events/pipeline';
import type { SegmentEvent } from '../../../lambda/events/segment-event';

const forwardAll: SourcePipeline = {
  honourIntegrations: true,
  integrationName: 'Amazon Kinesis',
  recordFormat: 'envelope',
};
const track = (extra: Partial<SegmentEvent> = {}): SegmentEvent => ({
  type: 'track',
  userId: 'u-1',
  event: 'E',
  ...extra,
});
const consented = (preferences: Record<string, boolean>) =>
  track({ context: { consent: { categoryPreferences: preferences } } });

describe('filtering by integrations', () => {
  it.each([
    ['"Amazon Kinesis": false', { 'Amazon Kinesis': false }, 'integrations turn "Amazon Kinesis" off'],
    [
      'All: false without naming us',
      { All: false, 'Google Analytics': true },
      'integrations turn "Amazon Kinesis" off',
    ],
    ['All: false but "Amazon Kinesis": true', { All: false, 'Amazon Kinesis': true }, undefined],
    [
      'All: false but "Amazon Kinesis" with settings',
      { All: false, 'Amazon Kinesis': { stream: 'x' } },
      undefined,
    ],
    ['other integrations off', { 'Segment.io': false }, undefined],
  ])('decides %s', (_, integrations, reason) => {
    expect(filterReason(track({ integrations }), forwardAll)).toBe(reason);
  });

  it('ignores integrations when the source does not honour them', () => {
    expect(
      filterReason(track({ integrations: { 'Amazon Kinesis': false } }), {
        ...forwardAll,
        honourIntegrations: false,
      }),
    ).toBeUndefined();
  });

  it('matches the integration name the source configures', () => {
    const pipeline = { ...forwardAll, integrationName: 'Data Lake' };
    expect(filterReason(track({ integrations: { 'Data Lake': false } }), pipeline)).toBe(
      'integrations turn "Data Lake" off',
    );
    expect(filterReason(track({ integrations: { 'Amazon Kinesis': false } }), pipeline)).toBeUndefined();
  });
});

describe('filtering by consent', () => {
  const pipeline: SourcePipeline = {
    ...forwardAll,
    consent: { requiredCategories: ['Analytics', 'Personalization'], whenMissing: 'forward' },
  };

  it('forwards an event whose consent grants every required category', () => {
    expect(
      filterReason(consented({ Analytics: true, Personalization: true, Advertising: false }), pipeline),
    ).toBeUndefined();
  });

  it('drops an event whose consent denies or omits a required category, naming it', () => {
    expect(filterReason(consented({ Analytics: true, Personalization: false }), pipeline)).toBe(
      'no consent for Personalization',
    );
    expect(filterReason(consented({ Advertising: true }), pipeline)).toBe(
      'no consent for Analytics, Personalization',
    );
  });

  it('forwards or drops events without consent preferences as configured', () => {
    expect(filterReason(track(), pipeline)).toBeUndefined();
    expect(
      filterReason(track(), {
        ...pipeline,
        consent: { requiredCategories: ['Analytics'], whenMissing: 'drop' },
      }),
    ).toBe('no consent preferences (context.consent.categoryPreferences)');
  });

  it('does not take a truthy non-boolean as consent', () => {
    expect(
      filterReason(
        track({ context: { consent: { categoryPreferences: { Analytics: 'yes', Personalization: 1 } } } }),
        pipeline,
      ),
    ).toBe('no consent for Analytics, Personalization');
  });
});

describe('redaction', () => {
  const record = {
    context: { ip: '203.0.113.7', page: { path: '/' } },
    traits: { email: 'ann@example.com', plan: 'pro' },
    properties: null,
  };

  it('drops and hashes the configured fields without changing the original', () => {
    const original = structuredClone(record);
    const redacted = redact(record, { drop: ['context.ip'], hash: ['traits.email'] }, LOCAL_DEV_HASH_KEY);
    expect(redacted).toEqual({
      context: { page: { path: '/' } },
      traits: {
        email: `hmac-sha256:dev:${createHmac('sha256', LOCAL_DEV_HASH_KEY.secret).update('ann@example.com').digest('hex')}`,
        plan: 'pro',
      },
      properties: null,
    });
    expect(record).toEqual(original);
  });

  it('hashes equal values to equal digests, so hashed ids still join', () => {
    const a = redact(
      { traits: { email: 'ann@example.com' } },
      { drop: [], hash: ['traits.email'] },
      LOCAL_DEV_HASH_KEY,
    );
    const b = redact(
      { traits: { email: 'ann@example.com' } },
      { drop: [], hash: ['traits.email'] },
      LOCAL_DEV_HASH_KEY,
    );
    expect(a).toEqual(b);
    expect(a.traits.email).not.toBe('ann@example.com');
  });

  it('leaves records without the field, or with null in the way, as they are', () => {
    const plain = { context: {}, traits: null };
    expect(redact(plain, { drop: ['context.ip', 'traits.email'], hash: ['properties.card'] })).toEqual(plain);
  });

  it('never walks into the prototype', () => {
    const redacted = redact(
      { context: {} },
      { drop: ['context.__proto__.polluted'], hash: ['context.constructor'] },
    );
    expect(redacted).toEqual({ context: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the client IP (redact.ip)', () => {
  const record = (ip: unknown) => ({ event_id: 'e-1', context: { ip, locale: 'en-GB' } });

  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:0DB8:0000::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['::ffff:198.51.100.23', '::ffff:198.51.100.0'],
  ])('truncates %s to %s', (ip, truncated) => {
    expect(redact(record(ip), { drop: [], hash: [], ip: 'truncate' })).toEqual(record(truncated));
  });

  it('drops a value that is not an IP address when asked to truncate, rather than keep it whole', () => {
    for (const ip of ['not-an-ip', 12345, { v: '1.2.3.4' }]) {
      expect(redact(record(ip), { drop: [], hash: [], ip: 'truncate' })).toEqual({
        event_id: 'e-1',
        context: { locale: 'en-GB' },
      });
    }
  });

  it('drops the IP, or keeps it as it is by default, and never changes the original', () => {
    const original = record('203.0.113.77');

    expect(redact(original, { drop: [], hash: [], ip: 'drop' })).toEqual({
      event_id: 'e-1',
      context: { locale: 'en-GB' },
    });
    expect(redact(original, { drop: [], hash: [] })).toEqual(record('203.0.113.77'));
    expect(original).toEqual(record('203.0.113.77'));
  });
});

describe('the source stages before the tracking plan', () => {
  const enrichBots: SourcePipeline = { ...forwardAll, enrich: { bot: 'drop' } };
  const crawler = track({ context: { userAgent: 'Googlebot/2.1', ip: '203.0.113.7' } });

  it('never builds enrichment lookups for a source without enrichment', () => {
    // Arrange
    const lookupsFor = jest.fn(() => ({}));

    // Act
    const staged = runSourceStages(crawler, forwardAll, '198.51.100.1', lookupsFor);

    // Assess
    expect(staged).toEqual({ kind: 'forward', event: crawler });
    expect(lookupsFor).not.toHaveBeenCalled();
  });

  it('filters by integrations and consent before enrichment runs, so a filtered event costs no lookup', () => {
    // Arrange
    const lookupsFor = jest.fn(() => ({ isBot: () => true }));
    const turnedOff = { ...crawler, integrations: { 'Amazon Kinesis': false } };

    // Act
    const staged = runSourceStages(turnedOff, enrichBots, undefined, lookupsFor);

    // Assess
    expect(staged).toEqual({ kind: 'filtered' });
    expect(lookupsFor).not.toHaveBeenCalled();
  });

  it('drops a bot the source drops, and enriches other events with the request IP where the event has none', () => {
    // Arrange
    const pipeline: SourcePipeline = { ...forwardAll, enrich: { bot: 'drop', geo: {} } };
    const lookups = {
      isBot: (userAgent: string) => userAgent.includes('bot'),
      locate: (ip: string) => ({ country: ip === '198.51.100.1' ? 'NL' : 'XX' }),
    };

    // Act
    const bot = runSourceStages(crawler, pipeline, '198.51.100.1', () => lookups);
    const person = runSourceStages(track(), pipeline, '198.51.100.1', () => lookups);

    // Assess
    expect(bot).toEqual({ kind: 'filtered', bot: true });
    expect(person).toEqual({ kind: 'forward', event: track({ context: { location: { country: 'NL' } } }) });
  });
});
