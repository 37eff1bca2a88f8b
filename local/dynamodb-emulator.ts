import { resolve } from 'node:path';
import { type Emulator, startEmulator } from './emulator';

/** A running local DynamoDB emulator (dynalite). */
export type DynamoDbEmulator = Emulator;

/**
 * Starts dynalite (in memory) in a child process on `host:port` (port 0 picks a free one) and
 * resolves once it listens: local mode's dedup table lives there.
 */
export function startDynamoDbEmulator(options: { port: number; host?: string }): Promise<DynamoDbEmulator> {
  return startEmulator(
    {
      service: 'DynamoDB',
      entry: resolve(__dirname, 'dynamodb-emulator-process.ts'),
      childVariables: { port: 'DYNAMODB_EMULATOR_PORT', host: 'DYNAMODB_EMULATOR_HOST' },
      portVariable: 'DYNAMODB_PORT',
      endpointVariable: 'DYNAMODB_ENDPOINT',
    },
    options,
  );
}
