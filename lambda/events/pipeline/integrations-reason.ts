import type { SegmentEvent } from '../segment-event';

/** How a source reads an event's `integrations` object (the fields of `SourcePipeline` it needs). */
export interface IntegrationsFilter {
  /** Honour `integrations: { "<integrationName>": false }` (and `All: false`) by not forwarding. */
  readonly honourIntegrations: boolean;
  readonly integrationName: string;
}

/**
 * Why a valid event's `integrations` turn this destination off, or `undefined` to forward it: its
 * own entry is `false`, or `All` is `false` and it has no entry (or a `null` one) of its own.
 */
export function integrationsReason(event: SegmentEvent, filter: IntegrationsFilter): string | undefined {
  if (filter.honourIntegrations && event.integrations !== undefined) {
    const own = event.integrations[filter.integrationName];
    if (own === false || (event.integrations.All === false && (own === undefined || own === null))) {
      return `integrations turn "${filter.integrationName}" off`;
    }
  }
  return undefined;
}
