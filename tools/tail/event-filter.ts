import type { EventFilters } from './tail-args';
import { sourceIdOf, type TailEvent, userOf } from './tail-event';

export const NO_FILTERS: EventFilters = { types: [], users: [], events: [], sources: [] };

const hasFilters = (filters: EventFilters) =>
  filters.types.length + filters.users.length + filters.events.length + filters.sources.length > 0;

const anyOf = (wanted: readonly string[], ...values: unknown[]) =>
  wanted.length === 0 || values.some((value) => typeof value === 'string' && wanted.includes(value));

/**
 * Whether an event passes the filters: each given filter must match (any of its values). Records
 * that are not envelopes pass only when no filter is given, since none can match them.
 */
export function matchesFilters(event: TailEvent, filters: EventFilters): boolean {
  if (event.kind !== 'envelope') return !hasFilters(filters);
  const { envelope } = event;
  const user = userOf(envelope);
  return (
    anyOf(filters.types, envelope.type) &&
    anyOf(filters.users, user.userId, user.anonymousId) &&
    anyOf(filters.events, envelope.event, envelope.name) &&
    anyOf(filters.sources, sourceIdOf(envelope))
  );
}
