/**
 * The suppression table's attributes, as both sides name them: the Lambda reads them
 * (lambda/delivery/dynamodb-suppression-list.ts), `npm run suppress` writes them, and the CDK app
 * creates the table with its key (lib/constructs/suppression-table.ts).
 */

/** The partition key: source, id kind and keyed hash (a JSON array, unambiguous). */
export const SUPPRESSION_TABLE_KEY = 'id';
/** The source the suppression applies to (for `list`). */
export const SUPPRESSION_TABLE_SOURCE = 'sourceId';
/** `userId` or `anonymousId`. */
export const SUPPRESSION_TABLE_KIND = 'kind';
/** The id's keyed hash, `hmac-sha256:<hex>`. */
export const SUPPRESSION_TABLE_HASH = 'hash';
/** When the suppression was added, ISO 8601. */
export const SUPPRESSION_TABLE_ADDED_AT = 'addedAt';

/** The suppression table `npm start` creates in dynalite, and `npm run suppress` writes by default. */
export const LOCAL_SUPPRESSION_TABLE_NAME = 'suppression';
