import { isIPv4, isIPv6 } from 'node:net';
import type { EnrichmentSettings } from './enrichment';
import { applyFieldRules, type FieldHashKey, type RedactionRules } from './field-rules';
import { isJsonObject, type SegmentEvent } from './segment-event';

export type { IpHandling, RedactionRules } from './field-rules';

/** Consent filtering on Segment's consent object, `context.consent.categoryPreferences`. */
export interface ConsentPolicy {
  /** Categories that must be `true` for an event to be forwarded, e.g. `["Analytics"]`. */
  readonly requiredCategories: readonly string[];
  /** Events with no consent preferences at all: forwarded, or dropped. */
  readonly whenMissing: 'forward' | 'drop';
}

/** What a source does with its events before they are written (docs/configuration.md). */
export interface SourcePipeline {
  readonly consent?: ConsentPolicy;
  /** Enrichment before validation and redaction (./enrichment.ts). @default none */
  readonly enrich?: EnrichmentSettings;
  readonly redact?: RedactionRules;
  /** Honour `integrations: { "<integrationName>": false }` (and `All: false`) by not forwarding. */
  readonly honourIntegrations: boolean;
  readonly integrationName: string;
  /** `envelope` (docs/envelope.md), or `segment`: the Segment message as received, enriched. */
  readonly recordFormat: 'envelope' | 'segment';
}

/**
 * Why a valid event is not forwarded, or `undefined` to forward it: the consent it carries does not
 * cover the required categories, or its `integrations` turn this destination off.
 */
export function filterReason(event: SegmentEvent, pipeline: SourcePipeline): string | undefined {
  if (pipeline.honourIntegrations && event.integrations !== undefined) {
    const own = event.integrations[pipeline.integrationName];
    if (own === false || (event.integrations.All === false && (own === undefined || own === null))) {
      return `integrations turn "${pipeline.integrationName}" off`;
    }
  }
  return pipeline.consent === undefined ? undefined : consentReason(event, pipeline.consent);
}

/**
 * Why the consent an event carries does not allow forwarding it under `consent`, or `undefined`
 * when it does. Used for a source's pipeline and for each destination's own consent.
 */
export function consentReason(event: SegmentEvent, consent: ConsentPolicy): string | undefined {
  const consentObject = event.context?.consent;
  const preferences = isJsonObject(consentObject) ? consentObject.categoryPreferences : undefined;
  if (!isJsonObject(preferences)) {
    return consent.whenMissing === 'drop'
      ? 'no consent preferences (context.consent.categoryPreferences)'
      : undefined;
  }
  const missing = consent.requiredCategories.filter((category) => preferences[category] !== true);
  return missing.length === 0 ? undefined : `no consent for ${missing.join(', ')}`;
}

const truncateIpv4 = (address: string) => address.replace(/\.\d+$/, '.0');

/**
 * `address` with its host part zeroed: `203.0.113.77` -> `203.0.113.0`, `2001:db8:85a3:8d3:1319::7`
 * -> `2001:db8:85a3::` (the first 48 bits kept), an IPv4-mapped IPv6 address by its IPv4 rule;
 * `undefined` for anything that is not an IP address.
 */
export function truncateIp(address: string): string | undefined {
  if (isIPv4(address)) return truncateIpv4(address);
  if (!isIPv6(address)) return undefined;
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1] !== undefined && mapped[2] !== undefined) return `${mapped[1]}${truncateIpv4(mapped[2])}`;
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const kept = groups.slice(0, 3).map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
  return `${kept.join(':')}::`;
}

/**
 * Applies field rules to a record (envelope, Segment message, failure record payload) without
 * changing it (lambda/events/field-rules.ts); `key` is the deployment's hash key, needed by keyed
 * `hash` rules only.
 */
export function redact<T extends object>(
  record: T,
  rules: RedactionRules | undefined,
  key?: FieldHashKey,
): T {
  return applyFieldRules(record, rules, key, truncateIp);
}
