import fc from 'fast-check';
import { HttpError, MalformedRequestError } from '../../../lambda/http/http-error';
import { decodePixelData, eventFromDotPaths, pixelMessage } from '../../../lambda/http/pixel-request';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const EVENT = {
  writeKey: 'wk',
  userId: 'u-1',
  event: 'Email Opened',
  properties: { subject: 'Ünï >>>???~~~ ✓' },
};
const standard = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const urlSafe = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodePixelData', () => {
  it.each([
    ['standard, padded', standard(EVENT)],
    ['standard, unpadded', standard(EVENT).replace(/=+$/, '')],
    ['URL-safe, unpadded', urlSafe(EVENT)],
    ['URL-safe, padded', `${urlSafe(EVENT)}${'='.repeat((4 - (urlSafe(EVENT).length % 4)) % 4)}`],
    ['standard with its "+" read back as a space', standard(EVENT).replaceAll('+', ' ')],
  ])('decodes base64 %s to the JSON object it carries', (_form, data) => {
    // Act
    const decoded = decodePixelData(data);

    // Assess
    expect(decoded).toEqual(EVENT);
  });

  it('is given data whose base64 forms differ between standard and URL-safe', () => {
    // Assess: the fixture exercises both alphabets ("+/" against "-_").
    expect(standard(EVENT)).toMatch(/[+/]/);
    expect(urlSafe(EVENT)).toMatch(/[-_]/);
  });

  it.each([
    ['empty', ''],
    ['not base64', 'not*base64!'],
    ['base64 of text that is not JSON', Buffer.from('hello').toString('base64')],
    ['base64 of a JSON array', standard([1, 2])],
    ['base64 of bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')],
    ['an impossible length', 'abcde'],
  ])('refuses data that is %s with a MalformedRequestError', (_case, data) => {
    // Act / Assess
    expect(() => decodePixelData(data)).toThrow(MalformedRequestError);
  });
});

describe('eventFromDotPaths', () => {
  it('builds nested fields from dot paths, leaving data and writeKey out', () => {
    // Act
    const event = eventFromDotPaths({
      writeKey: 'wk',
      userId: 'u-1',
      event: 'Email Opened',
      'properties.subject': 'Welcome',
      'context.campaign.name': 'december',
      'context.campaign.source': 'email',
    });

    // Assess
    expect(event).toEqual({
      userId: 'u-1',
      event: 'Email Opened',
      properties: { subject: 'Welcome' },
      context: { campaign: { name: 'december', source: 'email' } },
    });
  });

  it.each([['__proto__.polluted'], ['properties.constructor.x'], ['properties..x'], ['.x']])(
    'refuses the parameter %s, which is not a safe dot path',
    (name) => {
      // Act / Assess
      expect(() => eventFromDotPaths({ [name]: 'yes' })).toThrow(MalformedRequestError);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses a parameter that nests under one that has a value', () => {
    // Act / Assess
    expect(() => eventFromDotPaths({ properties: 'x', 'properties.a': 'y' })).toThrow(/has a value/);
    expect(() => eventFromDotPaths({ 'properties.a': 'y', properties: 'x' })).toThrow(/both a value/);
  });
});

describe('pixelMessage', () => {
  it("takes the write key from the query before the data's, and the type from the path", () => {
    // Act
    const pixel = pixelMessage({
      flavour: 'segment',
      type: 'track',
      query: { writeKey: 'query-key', data: standard(EVENT) },
      now: NOW,
    });

    // Assess
    expect(pixel.writeKey).toBe('query-key');
    expect(pixel.message).toMatchObject({ type: 'track', userId: 'u-1', event: 'Email Opened' });
    expect(pixel.message).not.toHaveProperty('writeKey');
  });

  it("uses the data's write key when the query has none", () => {
    // Act
    const pixel = pixelMessage({
      flavour: 'segment',
      type: 'track',
      query: { data: urlSafe(EVENT) },
      now: NOW,
    });

    // Assess
    expect(pixel.writeKey).toBe('wk');
  });

  it("sets context.ip and context.userAgent from the request, keeping the event's own", () => {
    // Act
    const filled = pixelMessage({
      flavour: 'segment',
      type: 'page',
      query: { anonymousId: 'a-1' },
      sourceIp: '203.0.113.9',
      userAgent: 'Mail/1.0',
      now: NOW,
    });
    const kept = pixelMessage({
      flavour: 'segment',
      type: 'page',
      query: { anonymousId: 'a-1', 'context.userAgent': 'Own/2.0', 'context.ip': '198.51.100.1' },
      sourceIp: '203.0.113.9',
      userAgent: 'Mail/1.0',
      now: NOW,
    });

    // Assess
    expect(filled.message.context).toEqual({ ip: '203.0.113.9', userAgent: 'Mail/1.0' });
    expect(kept.message.context).toEqual({ ip: '198.51.100.1', userAgent: 'Own/2.0' });
  });

  it("gives RudderStack's pixels channel web and both timestamps set to now", () => {
    // Act
    const pixel = pixelMessage({
      flavour: 'rudderstack',
      type: 'page',
      query: { writeKey: 'rs', anonymousId: 'a-1', name: 'Home', originalTimestamp: '2001-01-01T00:00:00Z' },
      now: NOW,
    });

    // Assess
    expect(pixel.message).toMatchObject({
      type: 'page',
      name: 'Home',
      channel: 'web',
      originalTimestamp: '2026-12-06T12:00:00.000Z',
      sentAt: '2026-12-06T12:00:00.000Z',
    });
  });

  it('keeps an empty write key as no write key', () => {
    // Act
    const pixel = pixelMessage({ flavour: 'segment', type: 'track', query: { writeKey: '' }, now: NOW });

    // Assess
    expect(pixel.writeKey).toBeUndefined();
  });
});

describe('pixelMessage on any query', () => {
  it('returns an event or throws only its own HttpError, and never touches Object.prototype', () => {
    // Prepare
    const names = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('data', 'writeKey', '__proto__.x', 'a.b.c', 'a', 'a.b', 'properties.constructor'),
    );
    const values = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.json().map((json) => Buffer.from(json).toString('base64url')),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );

    // Act / Assess
    fc.assert(
      fc.property(fc.dictionary(names, values, { maxKeys: 6 }), (query) => {
        try {
          const pixel = pixelMessage({ flavour: 'segment', type: 'track', query, now: NOW });
          expect(pixel.message.type).toBeDefined();
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
        }
        expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('x');
      }),
      { numRuns: 2000 },
    );
  });
});
