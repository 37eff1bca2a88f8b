/**
 * Lazy module `dynamodb-seen-store` (lambda/contract/lazy-modules.ts): the DynamoDB client of the
 * seen store, loaded by the first configuration with a source that sets `dedup`. Its errors are only
 * counted and logged (fail open), never matched by class outside the module.
 */
export { createDynamoDbSeenStore } from '../delivery/dynamodb-seen-store';
