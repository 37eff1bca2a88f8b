import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GEO_DATABASE_FILE, GEO_DATABASE_PACKAGE_PATH } from '../contract/geo-database';
import { loadLazyModule } from '../lazy/load-lazy-module';
import type { EnrichmentLookups, EnrichmentSettings } from './pipeline/enrich-event';
import { isJsonObject, type JsonObject } from './segment-event';

/** User agents remembered per container before a cache starts again (a site's mix repeats). */
const USER_AGENT_CACHE_ENTRIES = 1000;

/**
 * The MMDB file of `pipeline.enrich.geo` cannot be read or is not an MMDB database: the message
 * names the path. Thrown on the source's first event, so its requests fail (5xx, the SDKs retry)
 * rather than being written without the location the source asked for.
 */
export class GeoDatabaseError extends Error {
  override readonly name = 'GeoDatabaseError';
}

const lookupsBySettings = new WeakMap<EnrichmentSettings, EnrichmentLookups>();
const locatorsByPath = new Map<string, (ip: string) => JsonObject | undefined>();

/**
 * The lookups a source's `pipeline.enrich` needs, built on its first event and kept per container:
 * each loads its lazy module (`bot-detector`, `geo-database`, `device-parser`) only when its
 * setting is on, and a database file is read once however many sources use it.
 */
export function enrichmentLookups(settings: EnrichmentSettings): EnrichmentLookups {
  let lookups = lookupsBySettings.get(settings);
  if (lookups === undefined) {
    lookups = {
      ...(settings.bot === undefined ? {} : { isBot: botDetector() }),
      ...(settings.geo === undefined ? {} : { locate: locator(settings.geo.database) }),
      ...(settings.device === true ? { describeDevice: deviceDescriber() } : {}),
    };
    lookupsBySettings.set(settings, lookups);
  }
  return lookups;
}

/**
 * Where the bundled country database is: next to `index.js` in the deployed asset, else (sources
 * run by tsx or jest) where npm installed it.
 */
export function bundledGeoDatabasePath(): string {
  const besideBundle = join(__dirname, GEO_DATABASE_FILE);
  return existsSync(besideBundle) ? besideBundle : require.resolve(GEO_DATABASE_PACKAGE_PATH);
}

function locator(database: string | undefined): (ip: string) => JsonObject | undefined {
  const path = database === undefined ? bundledGeoDatabasePath() : resolve(database);
  let locate = locatorsByPath.get(path);
  if (locate === undefined) {
    const { Reader } = loadLazyModule('geo-database');
    let reader: InstanceType<typeof Reader>;
    try {
      reader = new Reader(readFileSync(path));
    } catch (error) {
      throw new GeoDatabaseError(
        `pipeline.enrich.geo.database: cannot read an MMDB database from ${path} (a path on the function's file system)`,
        { cause: error },
      );
    }
    locate = (ip) => {
      try {
        const record = reader.get(ip);
        return isJsonObject(record) ? locationOf(record) : undefined;
      } catch {
        return undefined;
      }
    };
    locatorsByPath.set(path, locate);
  }
  return locate;
}

const englishName = (value: unknown): string | undefined => {
  if (!isJsonObject(value) || !isJsonObject(value.names)) return undefined;
  return typeof value.names.en === 'string' ? value.names.en : undefined;
};

/**
 * Segment's `context.location` from an MMDB record: `country` (ISO 3166-1 alpha-2 code) from the
 * ip-location-db layout (`country_code`) or MaxMind's (`country.iso_code`); with a city database,
 * `region`, `city`, `latitude` and `longitude` too.
 */
export function locationOf(record: JsonObject): JsonObject | undefined {
  const country =
    typeof record.country_code === 'string'
      ? record.country_code
      : isJsonObject(record.country) && typeof record.country.iso_code === 'string'
        ? record.country.iso_code
        : undefined;
  if (country === undefined) return undefined;
  const location: JsonObject = { country };
  const [subdivision] = Array.isArray(record.subdivisions) ? record.subdivisions : [];
  const region = englishName(subdivision) ?? (typeof record.state1 === 'string' ? record.state1 : undefined);
  if (region !== undefined) location.region = region;
  const city = englishName(record.city) ?? (typeof record.city === 'string' ? record.city : undefined);
  if (city !== undefined) location.city = city;
  const coordinates = isJsonObject(record.location) ? record.location : record;
  if (typeof coordinates.latitude === 'number' && typeof coordinates.longitude === 'number') {
    location.latitude = coordinates.latitude;
    location.longitude = coordinates.longitude;
  }
  return location;
}

/** `isbot`, remembering its answer for the last {@link USER_AGENT_CACHE_ENTRIES} user agents. */
function botDetector(): (userAgent: string) => boolean {
  const { isbot } = loadLazyModule('bot-detector');
  const cache = new Map<string, boolean>();
  return (userAgent) => {
    let bot = cache.get(userAgent);
    if (bot === undefined) {
      bot = isbot(userAgent);
      if (cache.size >= USER_AGENT_CACHE_ENTRIES) cache.clear();
      cache.set(userAgent, bot);
    }
    return bot;
  };
}

function deviceDescriber(): (userAgent: string | undefined, hints: JsonObject | undefined) => JsonObject {
  const { UAParser } = loadLazyModule('device-parser');
  const cache = new Map<string, JsonObject>();
  return (userAgent, hints) => {
    const key = `${userAgent ?? ''}\n${hints === undefined ? '' : JSON.stringify(hints)}`;
    let facts = cache.get(key);
    if (facts === undefined) {
      facts = deviceFacts(userAgent === undefined ? undefined : new UAParser(userAgent).getResult(), hints);
      if (cache.size >= USER_AGENT_CACHE_ENTRIES) cache.clear();
      cache.set(key, facts);
    }
    return facts;
  };
}

interface ParsedUserAgent {
  readonly browser: { readonly name?: string; readonly version?: string };
  readonly os: { readonly name?: string; readonly version?: string };
  readonly device: { readonly type?: string; readonly vendor?: string; readonly model?: string };
}

const withoutUndefined = (object: Record<string, string | undefined>): JsonObject =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/**
 * `context.browser` ({ name, version }), `context.os` ({ name, version }) and `context.device`
 * ({ type, manufacturer, model }) from a parsed user agent; client hints (`userAgentData`: `brands`,
 * `mobile`, `platform`) fill what the user agent leaves out. A device the parser has no type for is
 * `mobile` when the hints say so, else `desktop`.
 */
export function deviceFacts(parsed: ParsedUserAgent | undefined, hints: JsonObject | undefined): JsonObject {
  const facts: JsonObject = {};
  const brand = Array.isArray(hints?.brands)
    ? hints.brands.find(
        (entry): entry is { brand: string; version?: string } =>
          isJsonObject(entry) &&
          typeof entry.brand === 'string' &&
          !/not.a.brand|chromium/i.test(entry.brand),
      )
    : undefined;
  const browser = withoutUndefined({
    name: parsed?.browser.name ?? brand?.brand,
    version: parsed?.browser.version ?? (typeof brand?.version === 'string' ? brand.version : undefined),
  });
  if (Object.keys(browser).length > 0) facts.browser = browser;
  const os = withoutUndefined({
    name:
      parsed?.os.name ??
      (typeof hints?.platform === 'string' && hints.platform !== '' ? hints.platform : undefined),
    version: parsed?.os.version,
  });
  if (Object.keys(os).length > 0) facts.os = os;
  facts.device = withoutUndefined({
    type: parsed?.device.type ?? (hints?.mobile === true ? 'mobile' : 'desktop'),
    manufacturer: parsed?.device.vendor,
    model: parsed?.device.model,
  });
  return facts;
}
