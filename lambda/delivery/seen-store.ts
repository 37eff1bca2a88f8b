/**
 * The seen-store port of deduplication by `messageId` (docs/configuration.md, `dedup`): which copies
 * of an event are already durable in a destination, and where. Adapters: DynamoDB
 * ({@link DynamoDbSeenStore} in dynamodb-seen-store.ts; dynalite in local mode and tests).
 */

/** Where a marked copy is durable: in the destination's stream, or in the spill store on its way there. */
export type SeenWhere = 'stream' | 'spill';

/** One event in one destination: the mark's key. */
export interface SeenKey {
  readonly sourceId: string;
  readonly messageId: string;
  readonly destinationId: string;
}

/** A mark to write: the key, where the copy is durable, and when the mark stops counting. */
export interface SeenMark {
  readonly key: SeenKey;
  readonly where: SeenWhere;
  /** Epoch seconds after which the mark is treated as absent (and DynamoDB's TTL may delete it). */
  readonly expiresAt: number;
}

/** Reads and writes marks. Errors (unreachable, throttled) are thrown: the caller decides to fail open. */
export interface SeenStore {
  /** Where each key is marked, by position; `undefined` when it is not, or its mark has expired. */
  seen(keys: readonly SeenKey[]): Promise<(SeenWhere | undefined)[]>;
  /**
   * Writes marks. A `spill` mark never replaces a `stream` mark (a copy already in the stream stays
   * the one redrive compares against); a `stream` mark replaces either.
   */
  mark(marks: readonly SeenMark[]): Promise<void>;
}

/** The store when no table is configured: every call fails, so every event fails open (and is counted). */
export class UnconfiguredSeenStore implements SeenStore {
  constructor(private readonly reason: string) {}

  seen(): Promise<(SeenWhere | undefined)[]> {
    return Promise.reject(new SeenStoreUnavailableError(this.reason));
  }

  mark(): Promise<void> {
    return Promise.reject(new SeenStoreUnavailableError(this.reason));
  }
}

/** The seen store cannot be used (not configured, unreachable); the cause says why. */
export class SeenStoreUnavailableError extends Error {
  override readonly name = 'SeenStoreUnavailableError';
}
