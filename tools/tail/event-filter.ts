import type { EventFilters } from './tail-args';
import { type EnvelopeLike, sourceIdOf, type TailEvent, userOf } from './tail-event';

export const NO_FILTERS: EventFilters = { types: [], users: [], events: [], sources: [] };

const hasFilters = (filters: EventFilters) =>
  filters.types.length + filters.users.length + filters.events.length + filters.sources.length > 0;

const anyOf = (wanted: readonly string[], ...values: unknown[]) =>
  wanted.length === 0 || values.some((value) => typeof value === 'string' && wanted.includes(value));

const isObject = (value: unknown): value is EnvelopeLike =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the filters look at: the envelope, or for a failure record the refused event (`payload`,
 * a Segment message) with the record's `source_id`; `undefined` when there is nothing to match.
 */
function fieldsOf(event: TailEvent): { message: EnvelopeLike; sourceId: string | undefined } | undefined {
  if (event.kind === 'envelope') return { message: event.envelope, sourceId: sourceIdOf(event.envelope) };
  if (event.kind === 'failure') {
    const { payload, source_id } = event.record;
    return {
      message: isObject(payload) ? payload : {},
      sourceId: typeof source_id === 'string' ? source_id : undefined,
    };
  }
  return undefined;
}

/**
 * Whether an event passes the filters: each given filter must match (any of its values). A failure
 * record matches by the event it holds and its source (the body of an unparseable request, by its
 * source only). Records that are not envelopes pass only when no filter is given, since none can match them.
 */
export function matchesFilters(event: TailEvent, filters: EventFilters): boolean {
  const fields = fieldsOf(event);
  if (fields === undefined) return !hasFilters(filters);
  const { message, sourceId } = fields;
  const user = userOf(message);
  return (
    anyOf(filters.types, message.type) &&
    anyOf(filters.users, user.userId, user.anonymousId) &&
    anyOf(filters.events, message.event, message.name) &&
    anyOf(filters.sources, sourceId)
  );
}
