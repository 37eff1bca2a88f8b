/**
 * The dedup table's attributes, as both sides name them: the Lambda reads and writes them
 * (lambda/delivery/dynamodb-seen-store.ts) and the CDK app creates the table with its key and TTL
 * (lib/constructs/dedup-table.ts).
 */

/** The partition key: source, destination and messageId (a JSON array, unambiguous). */
export const SEEN_TABLE_KEY = 'id';
/** Where the copy is durable: `stream` or `spill`. */
export const SEEN_TABLE_WHERE = 'where';
/** Epoch seconds after which the mark is absent; the table's TTL attribute. */
export const SEEN_TABLE_EXPIRES_AT = 'expiresAt';
