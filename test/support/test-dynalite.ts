import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynalite } from '../../local/dynalite';
import { emulatorDynamoDbClient, ensureSeenTable } from '../../local/seen-table';

/**
 * An in-process dynalite with the dedup table, for the `describe` block this is called in: started
 * before its tests, stopped after them (one per test file).
 */
export function useTestDynalite(tableName = 'dedup-test'): {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
} {
  let server: ReturnType<typeof createDynalite> | undefined;
  let client: DynamoDBClient | undefined;
  let endpoint: string | undefined;
  beforeAll(async () => {
    server = createDynalite();
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = emulatorDynamoDbClient(endpoint, 'us-east-1');
    await ensureSeenTable(client, tableName);
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDynalite: used before its beforeAll ran');
    return value;
  };
  return {
    get endpoint() {
      return started(endpoint);
    },
    get client() {
      return started(client);
    },
    tableName,
  };
}
