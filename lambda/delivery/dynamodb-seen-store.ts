import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SEEN_TABLE_EXPIRES_AT, SEEN_TABLE_KEY, SEEN_TABLE_WHERE } from '../contract/seen-table';
import type { SeenKey, SeenMark, SeenStore, SeenWhere } from './seen-store';

/** Keys per BatchGetItem call (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;
/** PutItem calls in flight at once per `mark`. */
const MARK_CONCURRENCY = 32;
/** Rounds of `UnprocessedKeys` asked again before the read fails (and the caller fails open). */
const UNPROCESSED_ROUNDS = 3;

/** The partition key of one mark: source, destination and messageId, unambiguous whatever they hold. */
export function seenItemId(key: SeenKey): string {
  return JSON.stringify([key.sourceId, key.destinationId, key.messageId]);
}

export interface DynamoDbSeenStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The seen store in a DynamoDB table (the collector stack's dedup table; dynalite locally): one item
 * per mark, read with `BatchGetItem` and `ConsistentRead`, written with `PutItem`. The expiry is
 * stored on the item and an expired item is absent on every read: DynamoDB deletes expired items
 * late (and dynalite never), so the TTL only keeps the table small, it never decides.
 */
export class DynamoDbSeenStore implements SeenStore {
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbSeenStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async seen(keys: readonly SeenKey[]): Promise<(SeenWhere | undefined)[]> {
    const found = new Map<string, SeenWhere>();
    const ids = [...new Set(keys.map(seenItemId))];
    const nowSeconds = this.now() / 1000;
    for (let start = 0; start < ids.length; start += BATCH_GET_KEYS) {
      let pending = ids.slice(start, start + BATCH_GET_KEYS).map((id) => ({ [SEEN_TABLE_KEY]: { S: id } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === UNPROCESSED_ROUNDS) {
          throw new Error(`DynamoDB left ${pending.length} keys unprocessed ${UNPROCESSED_ROUNDS} times`);
        }
        const answer = await this.options.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.options.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.options.tableName] ?? []) {
          const id = item[SEEN_TABLE_KEY]?.S;
          const where = item[SEEN_TABLE_WHERE]?.S;
          const expiresAt = Number(item[SEEN_TABLE_EXPIRES_AT]?.N);
          if (id === undefined || (where !== 'stream' && where !== 'spill')) continue;
          if (!(expiresAt > nowSeconds)) continue;
          found.set(id, where);
        }
        pending = (answer.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as typeof pending;
      }
    }
    return keys.map((key) => found.get(seenItemId(key)));
  }

  async mark(marks: readonly SeenMark[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < marks.length) {
        const mark = marks[next++] as SeenMark;
        await this.put(mark);
      }
    };
    await Promise.all(Array.from({ length: Math.min(MARK_CONCURRENCY, marks.length) }, worker));
  }

  private async put(mark: SeenMark): Promise<void> {
    const item = {
      [SEEN_TABLE_KEY]: { S: seenItemId(mark.key) },
      [SEEN_TABLE_WHERE]: { S: mark.where },
      [SEEN_TABLE_EXPIRES_AT]: { N: String(mark.expiresAt) },
    };
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: item,
          // A spill mark never hides a copy already marked in the stream (unless that mark expired).
          ...(mark.where === 'spill'
            ? {
                ConditionExpression: 'attribute_not_exists(#w) OR #w <> :stream OR #e <= :now',
                ExpressionAttributeNames: { '#w': SEEN_TABLE_WHERE, '#e': SEEN_TABLE_EXPIRES_AT },
                ExpressionAttributeValues: {
                  ':stream': { S: 'stream' },
                  ':now': { N: String(Math.floor(this.now() / 1000)) },
                },
              }
            : {}),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

/** Where the seen store's table is: the collector stack sets `DEDUP_TABLE_NAME`; local mode a dynalite endpoint. */
export interface SeenStoreEnv {
  readonly DEDUP_TABLE_NAME?: string;
  /** A DynamoDB-compatible endpoint (dynalite); absent: AWS. */
  readonly DYNAMODB_ENDPOINT?: string;
  readonly AWS_REGION?: string;
}

/**
 * The DynamoDB seen store of the environment, with one client per container; `undefined` when
 * `DEDUP_TABLE_NAME` is not set. One attempt per call: a throttled or failing read costs no more
 * than its timeout, and the event is written anyway (fail open).
 */
export function createDynamoDbSeenStore(env: SeenStoreEnv): DynamoDbSeenStore | undefined {
  const tableName = env.DEDUP_TABLE_NAME?.trim();
  if (!tableName) return undefined;
  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || undefined;
  const client = new DynamoDBClient({
    maxAttempts: 1,
    region: env.AWS_REGION || (endpoint?.startsWith('http://') ? 'us-east-1' : undefined),
    ...(endpoint === undefined ? {} : { endpoint }),
    // An emulator over plain HTTP (dynalite) takes any keys; AWS takes the function's own.
    ...(endpoint?.startsWith('http://')
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 1000 }),
  });
  return new DynamoDbSeenStore({ client, tableName });
}
