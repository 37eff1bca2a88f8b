/**
 * Lazy module `dynamodb-suppression-list` (lambda/contract/lazy-modules.ts): the DynamoDB client of
 * the suppression list, loaded by the first configuration with a source that sets `suppression`.
 */
export { createDynamoDbSuppressionList } from '../delivery/dynamodb-suppression-list';
