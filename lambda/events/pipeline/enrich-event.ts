import { isJsonObject, type JsonObject, type SegmentEvent } from '../segment-event';

/**
 * A source's `pipeline.enrich` (docs/privacy.md "Enrichment"): facts derived from the event while
 * its IP and user agent are still there, before validation and redaction (issue 36: enrich ->
 * validate -> redact -> write). Each is opt-in; a source without one never loads its code.
 */
export interface EnrichmentSettings {
  /** `flag`: `context.bot: true` on a crawler's event; `drop`: not forwarded (`BotEventsDropped`). */
  readonly bot?: 'flag' | 'drop';
  /**
   * `context.location` from the client IP, where the event has none: the bundled country database,
   * or the MMDB file at `database` (a path; relative paths from the function's directory).
   */
  readonly geo?: { readonly database?: string };
  /** `context.browser`, `context.os` and `context.device.type` from the user agent and client hints. */
  readonly device?: boolean;
}

/** The lookups enrichment asks, each present when its settings turn it on (../enrichment-lookups.ts). */
export interface EnrichmentLookups {
  /** Whether `userAgent` is a crawler's, a monitor's or another bot's. */
  readonly isBot?: (userAgent: string) => boolean;
  /** Segment's `context.location` for `ip`, or `undefined` when the database does not know it. */
  readonly locate?: (ip: string) => JsonObject | undefined;
  /** Browser, OS and device facts to merge into `context`, from the user agent and client hints. */
  readonly describeDevice?: (userAgent: string | undefined, hints: JsonObject | undefined) => JsonObject;
}

/** What enrichment made of an event: the event with its facts, or a bot's event to drop. */
export type EnrichmentOutcome =
  | { readonly kind: 'enriched'; readonly event: SegmentEvent }
  | { readonly kind: 'bot-dropped' };

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * `event` with the facts `lookups` derive added to a copy of its `context` (nothing is mutated).
 * The IP is the event's `context.ip`, else `sourceIp` (the address the request came from, as the
 * record will carry it). Facts the event already has win: `context.location` is filled only where
 * absent, and so are `context.browser`, `context.os` and each field of `context.device`.
 */
export function enrichEvent(
  event: SegmentEvent,
  sourceIp: string | undefined,
  settings: EnrichmentSettings,
  lookups: EnrichmentLookups,
): EnrichmentOutcome {
  const context: JsonObject = { ...(event.context ?? {}) };
  const userAgent = nonEmptyString(context.userAgent);
  if (lookups.isBot !== undefined && userAgent !== undefined && lookups.isBot(userAgent)) {
    if (settings.bot === 'drop') return { kind: 'bot-dropped' };
    context.bot = true;
  }
  const ip = nonEmptyString(context.ip) ?? nonEmptyString(sourceIp);
  if (lookups.locate !== undefined && ip !== undefined && !isJsonObject(context.location)) {
    const location = lookups.locate(ip);
    if (location !== undefined) context.location = location;
  }
  if (lookups.describeDevice !== undefined) {
    const hints = isJsonObject(context.userAgentData) ? context.userAgentData : undefined;
    if (userAgent !== undefined || hints !== undefined) {
      mergeAbsent(context, lookups.describeDevice(userAgent, hints));
    }
  }
  return { kind: 'enriched', event: { ...event, context } };
}

/** Adds to `target` each field of `facts` it lacks, one level into objects both have (`device`). */
function mergeAbsent(target: JsonObject, facts: JsonObject): void {
  for (const [key, value] of Object.entries(facts)) {
    const own = target[key];
    if (own === undefined || own === null) target[key] = value;
    else if (isJsonObject(own) && isJsonObject(value)) target[key] = { ...value, ...own };
  }
}
