import type { RedactionRules } from '../field-rules';
import type { SegmentEvent } from '../segment-event';
import { type ConsentPolicy, consentReason } from './consent-reason';
import { type EnrichmentLookups, type EnrichmentSettings, enrichEvent } from './enrich-event';
import { integrationsReason } from './integrations-reason';

export type { IpHandling, RedactionRules } from '../field-rules';
export type { ConsentPolicy } from './consent-reason';
export { consentReason } from './consent-reason';
export { redact, truncateIp } from './redact';
export { withoutRuleViolations } from './without-rule-violations';

/**
 * What a source does with its events before they are written (docs/configuration.md). One pure
 * stage a file, run in this order: integrations and consent (`filterReason`), enrich (while the IP
 * is there: ./enrich-event.ts), then, once the tracking plan has checked the enriched event and its
 * record is built, redact (./redact.ts) with the source's rules and each destination's.
 */
export interface SourcePipeline {
  readonly consent?: ConsentPolicy;
  /** Enrichment before validation and redaction (./enrich-event.ts). @default none */
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
  return (
    integrationsReason(event, pipeline) ??
    (pipeline.consent === undefined ? undefined : consentReason(event, pipeline.consent))
  );
}

/** What the stages before the tracking plan made of a valid event. */
export type StagedEvent =
  | { readonly kind: 'forward'; readonly event: SegmentEvent }
  /** Not forwarded: integrations or consent turn it off, or it is a bot's a source drops (`bot`). */
  | { readonly kind: 'filtered'; readonly bot?: true };

/**
 * A valid event through the source's stages that work on the event itself, in their settled order:
 * integrations and consent, then enrichment (before the tracking plan and redaction, issue 36).
 * `lookupsFor` builds the lookups of `pipeline.enrich` (lambda/events/enrichment-lookups.ts, lazy
 * modules): a source without enrichment never calls it, so never loads them.
 */
export function runSourceStages(
  event: SegmentEvent,
  pipeline: SourcePipeline,
  sourceIp: string | undefined,
  lookupsFor: (settings: EnrichmentSettings) => EnrichmentLookups,
): StagedEvent {
  if (filterReason(event, pipeline) !== undefined) return { kind: 'filtered' };
  if (pipeline.enrich === undefined) return { kind: 'forward', event };
  // Enrich while the IP is there: before the tracking plan and redaction (issue 36).
  const enriched = enrichEvent(event, sourceIp, pipeline.enrich, lookupsFor(pipeline.enrich));
  return enriched.kind === 'bot-dropped'
    ? { kind: 'filtered', bot: true }
    : { kind: 'forward', event: enriched.event };
}
