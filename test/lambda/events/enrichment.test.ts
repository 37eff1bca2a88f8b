import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  deviceFacts,
  enrichmentLookups,
  GeoDatabaseError,
  locationOf,
} from '../../../lambda/events/enrichment-lookups';
import { type EnrichmentSettings, enrichEvent } from '../../../lambda/events/pipeline/enrich-event';
import type { SegmentEvent } from '../../../lambda/events/segment-event';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const event = (context: Record<string, unknown>): SegmentEvent =>
  ({ type: 'track', event: 'Clicked', anonymousId: 'a1', context }) as SegmentEvent;

/** Enriches `context` with the real lookups of `settings`. */
const enrich = (settings: EnrichmentSettings, context: Record<string, unknown>, sourceIp?: string) =>
  enrichEvent(event(context), sourceIp, settings, enrichmentLookups(settings));

describe('enrichEvent with the bundled lookups', () => {
  it('looks up an IPv6 address in the bundled country database', () => {
    const outcome = enrich({ geo: {} }, { ip: '2001:4860:4860::8888' });

    expect(outcome.kind === 'enriched' && outcome.event.context?.location).toEqual({ country: 'US' });
  });

  it('adds no location for a private address the database does not know', () => {
    const outcome = enrich({ geo: {} }, {}, '10.1.2.3');

    expect(outcome.kind === 'enriched' && outcome.event.context).toEqual({});
  });

  it('adds no location for an IP that is not an address', () => {
    const outcome = enrich({ geo: {} }, { ip: 'unknown' });

    expect(outcome.kind === 'enriched' && outcome.event.context).toEqual({ ip: 'unknown' });
  });

  it('does not call an event without a user agent a bot', () => {
    expect(enrich({ bot: 'drop' }, {})).toEqual({ kind: 'enriched', event: event({}) });
  });

  it('drops a crawler’s event when bots are dropped, and does not change the event it was given', () => {
    const context = { userAgent: GOOGLEBOT };

    expect(enrich({ bot: 'drop' }, context)).toEqual({ kind: 'bot-dropped' });
    expect(enrich({ bot: 'flag' }, context)).toMatchObject({ event: { context: { bot: true } } });
    expect(context).toEqual({ userAgent: GOOGLEBOT });
  });

  it('describes a device from client hints alone', () => {
    const outcome = enrich(
      { device: true },
      {
        userAgentData: {
          brands: [
            { brand: 'Not A;Brand', version: '99' },
            { brand: 'Google Chrome', version: '126' },
          ],
          mobile: true,
          platform: 'Android',
        },
      },
    );

    expect(outcome.kind === 'enriched' && outcome.event.context).toMatchObject({
      browser: { name: 'Google Chrome', version: '126' },
      os: { name: 'Android' },
      device: { type: 'mobile' },
    });
  });
});

describe('enrichmentLookups', () => {
  it('names the path of a geo database it cannot read, keeping the cause', () => {
    const build = () => enrichmentLookups({ geo: { database: '/nonexistent/city.mmdb' } });

    expect(build).toThrow(GeoDatabaseError);
    expect(build).toThrow('cannot read an MMDB database from /nonexistent/city.mmdb');
  });

  it('refuses a file that is not an MMDB database', () => {
    expect(() => enrichmentLookups({ geo: { database: __filename } })).toThrow(GeoDatabaseError);
  });
});

describe('locationOf', () => {
  it('reads a MaxMind city record into country, region, city and coordinates', () => {
    expect(
      locationOf({
        country: { iso_code: 'DE' },
        subdivisions: [{ names: { en: 'Berlin' } }],
        city: { names: { en: 'Berlin' } },
        location: { latitude: 52.5, longitude: 13.4 },
      }),
    ).toEqual({ country: 'DE', region: 'Berlin', city: 'Berlin', latitude: 52.5, longitude: 13.4 });
  });

  it('gives no location for a record without a country', () => {
    expect(locationOf({ autonomous_system_number: 15169 })).toBeUndefined();
  });
});

describe('deviceFacts', () => {
  it('calls a device the parser gives no type a desktop', () => {
    expect(
      deviceFacts(
        { browser: { name: 'Firefox', version: '128.0' }, os: { name: 'Linux' }, device: {} },
        undefined,
      ),
    ).toEqual({
      browser: { name: 'Firefox', version: '128.0' },
      os: { name: 'Linux' },
      device: { type: 'desktop' },
    });
  });
});

describe('the lazy modules of enrichment', () => {
  it('are loaded by a source that turns enrichment on and by no other', () => {
    // Act: a fresh Node process (real module loading, not jest's registry) lists the lazy modules
    // it has required after asking for the lookups of a source without, then with, enrichment.
    const script = `
      const { enrichmentLookups } = require('./lambda/events/enrichment-lookups');
      const loaded = () => Object.keys(require.cache).filter((p) => /lambda[\\\\/]lazy[\\\\/](bot|geo|device)/.test(p)).map((p) => p.replace(/^.*[\\\\/]/, '')).sort();
      enrichmentLookups({});
      const before = loaded();
      enrichmentLookups({ bot: 'flag', geo: {}, device: true });
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: join(__dirname, '../../..'),
      encoding: 'utf8',
    });

    // Assess
    expect(JSON.parse(output)).toEqual({
      before: [],
      after: ['bot-detector.ts', 'device-parser.ts', 'geo-database.ts'],
    });
  });
});
