import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SEEN_TABLE_KEY } from '../lambda/contract/seen-table';
import { SUPPRESSION_TABLE_KEY } from '../lambda/contract/suppression-table';

/** A DynamoDB client for a local emulator (dynalite), with the keys it takes. */
export function emulatorDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
}

/**
 * Creates the dedup table (partition key `id`, on demand) unless it exists, and waits until it is
 * ACTIVE: local mode's stand-in for the collector stack's table. It never calls UpdateTimeToLive
 * (dynalite has no TTL; expired marks are absent to the seen store anyway).
 */
export function ensureSeenTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return ensureTable(client, tableName, SEEN_TABLE_KEY);
}

/** Creates the suppression table (partition key `id`, on demand) unless it exists, and waits until it is ACTIVE. */
export function ensureSuppressionTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return ensureTable(client, tableName, SUPPRESSION_TABLE_KEY);
}

async function ensureTable(client: DynamoDBClient, tableName: string, key: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await sleep(100);
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}
