/**
 * The columns of the archive's Glue tables (lib/constructs/event-archive.ts), one per top-level
 * property of the record's JSON schema, in the schema's order. test/lib/archive-table-columns.test.ts
 * fails when a table and its schema drift (a property added, removed or retyped).
 *
 * Types follow what Athena reads with the OpenX JSON SerDe: free-form objects (`context`,
 * `properties`, `traits`, a failure's `payload`) and arrays are `string` columns holding the JSON
 * text, read with `json_extract_scalar(properties, '$.plan')`, so a new key in an event never
 * breaks the table; objects with a fixed shape (a failure's `failure`, `request`, `redaction`) are
 * `struct<...>` columns, read as `failure.reason`. Timestamps stay ISO-8601 strings
 * (`from_iso8601_timestamp(timestamp)`): the SerDe's own timestamp parsing rejects the `Z` form.
 * The SerDe folds JSON keys to lower case, so struct fields are written in lower case.
 */

/** One column of an archive table. */
export interface ArchiveColumn {
  readonly name: string;
  /** A Hive/Athena type: `string`, `bigint`, `boolean` or `struct<name:type,...>`. */
  readonly type: string;
  readonly comment: string;
}

/** The `events` table: one row per envelope (docs/envelope.schema.json). */
export const ENVELOPE_COLUMNS: readonly ArchiveColumn[] = [
  { name: 'event_id', type: 'string', comment: 'The event id (the Segment messageId); replay keeps it' },
  { name: 'type', type: 'string', comment: 'track, identify, page, screen, group or alias' },
  { name: 'event', type: 'string', comment: 'The track event name; null for other types' },
  { name: 'name', type: 'string', comment: 'The page or screen name; null for other types' },
  { name: 'anonymous_id', type: 'string', comment: 'The anonymous id, or null' },
  { name: 'user_id', type: 'string', comment: 'The user id, or null' },
  { name: 'group_id', type: 'string', comment: 'The group id of a group call, or null' },
  { name: 'previous_id', type: 'string', comment: 'The previous id of an alias call, or null' },
  { name: 'timestamp', type: 'string', comment: 'When it happened (skew-corrected), ISO-8601 UTC' },
  { name: 'original_timestamp', type: 'string', comment: "The client's own timestamp, as sent" },
  { name: 'sent_at', type: 'string', comment: 'When the client sent it, ISO-8601, or null' },
  { name: 'received_at', type: 'string', comment: 'When the collector received it, ISO-8601 UTC' },
  { name: 'context', type: 'string', comment: 'The context object, as JSON text' },
  {
    name: 'properties',
    type: 'string',
    comment: 'The properties object (track, page, screen), as JSON text',
  },
  { name: 'traits', type: 'string', comment: 'The traits object (identify, group), as JSON text' },
  { name: 'source_id', type: 'string', comment: 'The source that received it' },
  { name: 'integration_id', type: 'string', comment: 'The destination it was written to' },
  {
    name: 'violations',
    type: 'string',
    comment: 'Tracking-plan violations, as a JSON array; null when none',
  },
];

/** The `failed_events` table: one row per failure record (docs/failure-record.schema.json). */
export const FAILURE_RECORD_COLUMNS: readonly ArchiveColumn[] = [
  {
    name: 'failure',
    type: 'struct<reason:string,code:string,stage:string>',
    comment: 'Why the collector refused it: reason, code (the FailedEvents metric dimension), stage',
  },
  { name: 'event_id', type: 'string', comment: "The event's messageId, or a generated id" },
  { name: 'source_id', type: 'string', comment: 'The source that received it' },
  { name: 'received_at', type: 'string', comment: 'When the collector received it, ISO-8601 UTC' },
  {
    name: 'request',
    type: 'struct<path:string,contenttype:string,contentencoding:string,bytes:bigint,index:bigint,sentat:string>',
    comment: 'The request it came in',
  },
  { name: 'payload', type: 'string', comment: 'The event as received (without writeKey), as JSON text' },
  { name: 'raw', type: 'string', comment: 'The body of a request that could not be parsed' },
  { name: 'raw_encoding', type: 'string', comment: 'utf8 or base64' },
  { name: 'raw_truncated', type: 'boolean', comment: 'raw was cut to fit a record' },
  {
    name: 'redaction',
    type: 'struct<applied:boolean,key_version:string,raw_dropped:boolean>',
    comment: "The source's field rules were applied to payload and raw",
  },
];
