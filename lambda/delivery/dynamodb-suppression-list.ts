import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  SUPPRESSION_TABLE_ADDED_AT,
  SUPPRESSION_TABLE_HASH,
  SUPPRESSION_TABLE_KEY,
  SUPPRESSION_TABLE_KIND,
  SUPPRESSION_TABLE_SOURCE,
} from '../contract/suppression-table';
import { type SuppressedId, suppressionKey } from '../events/suppression';
import type { SuppressionListAdmin } from './suppression-list';

/** Keys per BatchGetItem call (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;
/** Rounds of `UnprocessedKeys` asked again before the lookup fails (and the request answers 503). */
const UNPROCESSED_ROUNDS = 3;

export interface DynamoDbSuppressionListOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The suppression list in a DynamoDB table (the collector stack's suppression table; dynalite
 * locally): one item per suppressed id of a source, keyed by {@link suppressionKey}; read with
 * `BatchGetItem` (the collector), written and scanned by `npm run suppress` (the operator).
 */
export class DynamoDbSuppressionList implements SuppressionListAdmin {
  constructor(private readonly options: DynamoDbSuppressionListOptions) {}

  async suppressed(sourceId: string, ids: readonly SuppressedId[]): Promise<boolean[]> {
    const { client, tableName } = this.options;
    const keys = [...new Set(ids.map((id) => suppressionKey(sourceId, id)))];
    const found = new Set<string>();
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      let pending = keys
        .slice(start, start + BATCH_GET_KEYS)
        .map((key) => ({ [SUPPRESSION_TABLE_KEY]: { S: key } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === UNPROCESSED_ROUNDS) {
          throw new Error(`DynamoDB left ${pending.length} keys unprocessed ${UNPROCESSED_ROUNDS} times`);
        }
        const answer = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ProjectionExpression: '#k',
                ExpressionAttributeNames: { '#k': SUPPRESSION_TABLE_KEY },
              },
            },
          }),
        );
        for (const item of answer.Responses?.[tableName] ?? []) {
          const key = item[SUPPRESSION_TABLE_KEY]?.S;
          if (key !== undefined) found.add(key);
        }
        pending = (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof pending;
      }
    }
    return ids.map((id) => found.has(suppressionKey(sourceId, id)));
  }

  async add(sourceId: string, id: SuppressedId): Promise<void> {
    const now = this.options.now ?? Date.now;
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          [SUPPRESSION_TABLE_KEY]: { S: suppressionKey(sourceId, id) },
          [SUPPRESSION_TABLE_SOURCE]: { S: sourceId },
          [SUPPRESSION_TABLE_KIND]: { S: id.kind },
          [SUPPRESSION_TABLE_HASH]: { S: id.hash },
          [SUPPRESSION_TABLE_ADDED_AT]: { S: new Date(now()).toISOString() },
        },
      }),
    );
  }

  async remove(sourceId: string, id: SuppressedId): Promise<void> {
    await this.options.client.send(
      new DeleteItemCommand({
        TableName: this.options.tableName,
        Key: { [SUPPRESSION_TABLE_KEY]: { S: suppressionKey(sourceId, id) } },
      }),
    );
  }

  async list(sourceId: string): Promise<SuppressedId[]> {
    const ids: SuppressedId[] = [];
    let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.options.client.send(
        new ScanCommand({
          TableName: this.options.tableName,
          FilterExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': SUPPRESSION_TABLE_SOURCE },
          ExpressionAttributeValues: { ':s': { S: sourceId } },
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) {
        const kind = item[SUPPRESSION_TABLE_KIND]?.S;
        const hash = item[SUPPRESSION_TABLE_HASH]?.S;
        if ((kind === 'userId' || kind === 'anonymousId') && hash !== undefined) ids.push({ kind, hash });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return ids;
  }
}

/** Where the suppression table is: the collector stack sets `SUPPRESSION_TABLE_NAME`; local mode a dynalite endpoint. */
export interface SuppressionListEnv {
  readonly SUPPRESSION_TABLE_NAME?: string;
  /** A DynamoDB-compatible endpoint (dynalite); absent: AWS. */
  readonly DYNAMODB_ENDPOINT?: string;
  readonly AWS_REGION?: string;
}

/**
 * The DynamoDB suppression list of the environment, one client per container; `undefined` when
 * `SUPPRESSION_TABLE_NAME` is not set. Two attempts per call, each at most 1 s: a failing lookup
 * answers 503 (fail closed) within the request's time.
 */
export function createDynamoDbSuppressionList(env: SuppressionListEnv): DynamoDbSuppressionList | undefined {
  const tableName = env.SUPPRESSION_TABLE_NAME?.trim();
  if (!tableName) return undefined;
  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || undefined;
  const local = endpoint?.startsWith('http://') === true;
  const client = new DynamoDBClient({
    maxAttempts: 2,
    region: env.AWS_REGION || (local ? 'us-east-1' : undefined),
    ...(endpoint === undefined ? {} : { endpoint }),
    // An emulator over plain HTTP (dynalite) takes any keys; AWS takes the function's own.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 1000 }),
  });
  return new DynamoDbSuppressionList({ client, tableName });
}
