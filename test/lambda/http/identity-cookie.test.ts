import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../../lambda/config/runtime-config';
import { cookieDomainCovers } from '../../../lambda/contract/cookie-domain';
import { analyticsSettings } from '../../../lambda/http/analytics-settings';
import { CorsPolicy, preflightResponse } from '../../../lambda/http/cors';
import { anonymousIdOf, identityCookieFor, identityCookieHeader } from '../../../lambda/http/identity-cookie';

const SITE = 'https://www.example.com';

const document = (source: Record<string, unknown> = {}, cors?: RuntimeConfigInput['cors']) =>
  ({
    sources: [
      {
        id: 'web',
        writeKeys: ['web-key'],
        destinations: ['d'],
        allowedOrigins: [SITE],
        identityCookie: { domain: 'example.com' },
        ...source,
      },
      {
        id: 'other',
        writeKeys: ['other-key'],
        destinations: ['d'],
        allowedOrigins: ['https://other.example.org'],
      },
    ],
    destinations: [{ id: 'd', streamName: 's', region: 'us-east-1' }],
    ...(cors === undefined ? {} : { cors }),
  }) as RuntimeConfigInput;

const event = (host: string, origin: string | undefined, method = 'POST'): APIGatewayProxyEventV2 =>
  ({
    rawPath: '/v1/t',
    headers: { host, ...(origin === undefined ? {} : { origin }) },
    requestContext: { domainName: host, http: { method } },
  }) as unknown as APIGatewayProxyEventV2;

describe('the identity cookie', () => {
  const config = parseRuntimeConfig(document());
  const [source] = config.sources;
  if (source === undefined) throw new Error('no source');
  const cors = new CorsPolicy(config);
  const cookieFor = (
    host: string,
    origin: string | undefined,
    messages: unknown[] = [{ anonymousId: 'a-1' }],
  ) =>
    identityCookieFor({ source, event: event(host, origin), allowlist: cors.allowlistOf(source), messages });

  it('defaults to analytics.js’s ajs_anonymous_id for 400 days', () => {
    expect(source.identityCookie).toEqual({
      name: 'ajs_anonymous_id',
      domain: 'example.com',
      maxAgeDays: 400,
    });
  });

  it('is set Secure, SameSite=Lax, readable by scripts, on the domain, with the id JSON-encoded', () => {
    expect(cookieFor('events.example.com', SITE)).toBe(
      'ajs_anonymous_id=%22a-1%22; Domain=example.com; Path=/; Max-Age=34560000; Secure; SameSite=Lax',
    );
  });

  it('holds a value analytics.js decodes back to the id (percent-decoded, then JSON)', () => {
    const header = identityCookieHeader(
      { name: 'ajs_anonymous_id', domain: 'example.com', maxAgeDays: 1 },
      'é "x";',
    );
    const value = header.split(';')[0]?.split('=')[1] ?? '';

    expect(JSON.parse(decodeURIComponent(value))).toBe('é "x";');
    expect(value).not.toMatch(/[\s;,"]/);
  });

  it.each([
    ['no Origin (a server or an app)', 'events.example.com', undefined],
    ['an origin the source does not allow', 'events.example.com', 'https://evil.example.net'],
    ['the execute-api host, not under the domain', 'abc123.execute-api.eu-west-1.amazonaws.com', SITE],
    ['a look-alike host', 'events.notexample.com', SITE],
  ])('is not set for %s', (_what, host, origin) => {
    expect(cookieFor(host, origin)).toBeUndefined();
  });

  it('is set through the site’s own CloudFront path, where API Gateway sees its execute-api host', () => {
    const cookie = identityCookieFor({
      source,
      event: event('abc123.execute-api.eu-west-1.amazonaws.com', SITE),
      allowlist: cors.allowlistOf(source),
      messages: [{ anonymousId: 'a-1' }],
      siteHost: 'WWW.example.com:443',
    });

    expect(cookie).toMatch(/^ajs_anonymous_id=%22a-1%22; Domain=example.com;/);
  });

  it('is not set without a usable anonymous id', () => {
    expect(cookieFor('events.example.com', SITE, [{ userId: 'u' }, { anonymousId: '' }])).toBeUndefined();
    expect(cookieFor('events.example.com', SITE, [{ anonymousId: 'x'.repeat(201) }])).toBeUndefined();
  });

  it('takes the last event’s anonymous id of a batch, and accepts the host with a port', () => {
    expect(cookieFor('collect.example.com:8443', SITE, [{ anonymousId: 'a' }, { anonymousId: 'b' }])).toMatch(
      /^ajs_anonymous_id=%22b%22;/,
    );
  });

  it('covers the domain itself and its subdomains only', () => {
    expect(cookieDomainCovers('example.com', 'example.com')).toBe(true);
    expect(cookieDomainCovers('example.com', 'a.b.example.com')).toBe(true);
    expect(cookieDomainCovers('example.com', 'badexample.com')).toBe(false);
    expect(cookieDomainCovers('example.com', 'example.com.evil.net')).toBe(false);
  });

  it('finds the id in the last event that has one', () => {
    expect(anonymousIdOf([{ anonymousId: 'a' }, null, 'x', { userId: 'u' }])).toBe('a');
  });
});

describe('CORS with the identity cookie on', () => {
  const cors = new CorsPolicy(parseRuntimeConfig(document({}, { allowedOrigins: ['*'] })));

  it('allows credentials for the cookie source’s origin, naming it', () => {
    expect(preflightResponse(event('events.example.com', SITE, 'OPTIONS'), cors).headers).toMatchObject({
      'Access-Control-Allow-Origin': SITE,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
  });

  it('allows no credentials for other origins', () => {
    const headers = preflightResponse(
      event('events.example.com', 'https://other.example.org', 'OPTIONS'),
      cors,
    ).headers as Record<string, string>;

    expect(headers['Access-Control-Allow-Origin']).toBe('https://other.example.org');
    expect(headers['Access-Control-Allow-Credentials']).toBeUndefined();
  });
});

describe('the identity cookie configuration', () => {
  it('refuses a cookie source that allows every origin, saying to list the sites', () => {
    expect(() => parseRuntimeConfig(document({ allowedOrigins: ['*'] }))).toThrow(
      /sources\.0\.allowedOrigins: identityCookie needs explicit allowed origins.*"\*"; list each site, like \["https:\/\/www\.example\.com"\]/,
    );
  });

  it('refuses a cookie source that takes the global origins when those are a wildcard', () => {
    expect(() =>
      parseRuntimeConfig(
        document({ allowedOrigins: undefined }, { allowedOrigins: ['https://*.example.com'] }),
      ),
    ).toThrow(/sources\.0\.identityCookie: identityCookie needs explicit allowed origins/);
  });

  it.each(['.example.com', 'https://example.com', 'Example.com', '*.example.com', 'localhost'])(
    'refuses the domain %s',
    (domain) => {
      expect(() => parseRuntimeConfig(document({ identityCookie: { domain } }))).toThrow(
        /sources\.0\.identityCookie\.domain: must be the site's domain in lowercase/,
      );
    },
  );

  it('refuses a lifetime above the 400 days browsers keep a cookie', () => {
    expect(() =>
      parseRuntimeConfig(document({ identityCookie: { domain: 'example.com', maxAgeDays: 401 } })),
    ).toThrow(/sources\.0\.identityCookie\.maxAgeDays/);
  });
});

describe('the settings analytics.js loads', () => {
  const endpoint = { apiHost: 'events.example.com/v1', protocol: 'https' } as const;

  it('send events with credentials when the source sets the identity cookie', () => {
    expect(analyticsSettings('k', endpoint, { credentials: true }).integrations['Segment.io']).toMatchObject({
      deliveryStrategy: { config: { credentials: 'include' } },
    });
  });

  it('leave the delivery alone otherwise', () => {
    expect(analyticsSettings('k', endpoint).integrations['Segment.io']).not.toHaveProperty(
      'deliveryStrategy',
    );
  });
});
