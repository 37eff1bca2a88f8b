/**
 * ISO-8601 date or date-time as the SDKs send it: `2024-01-02`, `2024-01-02T03:04:05Z`,
 * `2024-01-02T03:04:05.678+01:00`, `2024-01-02 03:04:05.678Z` (space separator, RFC 3339).
 */
const ISO_8601 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** A zone designator at the end of a date-time: `Z`, `+01:00`, `-0130`. */
const ZONE = /(?:[Zz]|[+-]\d\d:?\d\d)$/;

/**
 * Parses an ISO-8601 timestamp to epoch milliseconds, or returns `undefined` when it is not one
 * (including dates that do not exist, such as `2024-02-30`). A date-time without a zone is read
 * as UTC, whatever the host's time zone.
 */
export function parseIsoTimestamp(value: string): number | undefined {
  const match = ISO_8601.exec(value);
  if (match === null) return undefined;
  const year = Number(value.slice(0, 4));
  const month = Number(match[1]);
  const day = Number(match[2]);
  const calendarDay = new Date(0);
  calendarDay.setUTCFullYear(year, month - 1, day);
  if (calendarDay.getUTCDate() !== day) return undefined;
  const normalised = value.replace(' ', 'T').replace(',', '.');
  const zoned = match[3] !== undefined && !ZONE.test(normalised) ? `${normalised}Z` : normalised;
  const millis = Date.parse(zoned);
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
