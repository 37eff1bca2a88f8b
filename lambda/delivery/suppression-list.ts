import type { SuppressedId } from '../events/suppression';

/**
 * The suppression list's port: which keyed hashes of ids are suppressed for a source. Adapters:
 * DynamoDB ({@link DynamoDbSuppressionList} in dynamodb-suppression-list.ts; dynalite locally).
 */
export interface SuppressionList {
  /** Whether each id is suppressed for `sourceId`, by position. Errors are thrown (the caller fails closed). */
  suppressed(sourceId: string, ids: readonly SuppressedId[]): Promise<boolean[]>;
}

/** What the operator's tool (`npm run suppress`) does besides reading. */
export interface SuppressionListAdmin extends SuppressionList {
  add(sourceId: string, id: SuppressedId): Promise<void>;
  remove(sourceId: string, id: SuppressedId): Promise<void>;
  /** Every suppressed id of `sourceId` (hashes only: the ids themselves are never stored). */
  list(sourceId: string): Promise<SuppressedId[]>;
}

/** The list when no table is configured: every lookup fails, so a source with `suppression` answers 503. */
export class UnconfiguredSuppressionList implements SuppressionList {
  constructor(private readonly reason: string) {}

  suppressed(): Promise<boolean[]> {
    return Promise.reject(new Error(this.reason));
  }
}
