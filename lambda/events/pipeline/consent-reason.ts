import { isJsonObject, type SegmentEvent } from '../segment-event';

/** Consent filtering on Segment's consent object, `context.consent.categoryPreferences`. */
export interface ConsentPolicy {
  /** Categories that must be `true` for an event to be forwarded, e.g. `["Analytics"]`. */
  readonly requiredCategories: readonly string[];
  /** Events with no consent preferences at all: forwarded, or dropped. */
  readonly whenMissing: 'forward' | 'drop';
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
