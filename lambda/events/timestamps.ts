/**
 * ISO-8601 date or date-time as the SDKs send it: `2024-01-02`, `2024-01-02T03:04:05Z`,
 * `2024-01-02T03:04:05.678+01:00`, `2024-01-02 03:04:05.678Z` (space separator, RFC 3339).
 */
const ISO_8601 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** Parses an ISO-8601 timestamp to epoch milliseconds, or returns `undefined` when it is not one. */
export function parseIsoTimestamp(value: string): number | undefined {
  if (!ISO_8601.test(value)) return undefined;
  const millis = Date.parse(value.replace(' ', 'T').replace(',', '.'));
  return Number.isNaN(millis) ? undefined : millis;
}

/** The latest instant `Date` can represent; anything computed beyond it is not a timestamp. */
const MAX_DATE_MILLIS = 8.64e15;

/**
 * The event's time on the server's clock, corrected for the client's clock skew the way Segment
 * does it: `receivedAt - (sentAt - timestamp)`. Without `sentAt` the client's timestamp is kept
 * (normalised to UTC); without a timestamp the event happened when it was received.
 */
export function correctedTimestamp(receivedAt: number, timestamp?: number, sentAt?: number): number {
  if (timestamp === undefined) return receivedAt;
  if (sentAt === undefined) return timestamp;
  const corrected = receivedAt - (sentAt - timestamp);
  return Math.abs(corrected) <= MAX_DATE_MILLIS ? corrected : timestamp;
}
