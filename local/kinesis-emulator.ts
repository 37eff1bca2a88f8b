import { resolve } from 'node:path';
import { type Emulator, startEmulator } from './emulator';

/** A running local Kinesis emulator. */
export type KinesisEmulator = Emulator;

/**
 * Starts kinesalite (in memory) in a child process on `host:port` (port 0 picks a free one) and
 * resolves once it listens.
 */
export function startKinesisEmulator(options: { port: number; host?: string }): Promise<KinesisEmulator> {
  return startEmulator(
    {
      service: 'Kinesis',
      entry: resolve(__dirname, 'kinesis-emulator-process.ts'),
      childVariables: { port: 'KINESIS_EMULATOR_PORT', host: 'KINESIS_EMULATOR_HOST' },
      portVariable: 'KINESIS_PORT',
      endpointVariable: 'KINESIS_ENDPOINT',
    },
    options,
  );
}
