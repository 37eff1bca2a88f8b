import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { EmulatorStartError, type KinesisEmulator } from './kinesis-emulator';

/** A running local DynamoDB emulator (dynalite). */
export type DynamoDbEmulator = KinesisEmulator;

/**
 * Starts dynalite (in memory) in a child process on `host:port` (port 0 picks a free one) and
 * resolves once it listens: local mode's dedup table lives there.
 */
export function startDynamoDbEmulator(options: { port: number; host?: string }): Promise<DynamoDbEmulator> {
  const host = options.host ?? '127.0.0.1';
  const child = fork(resolve(__dirname, 'dynamodb-emulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DYNAMODB_EMULATOR_PORT: String(options.port), DYNAMODB_EMULATOR_HOST: host },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolvePromise, reject) => {
    child.once('message', (message: { port?: number; error?: string }) => {
      if (message.port !== undefined) {
        resolvePromise({ endpoint: `http://${host}:${message.port}`, stop });
        return;
      }
      const why =
        message.error === 'EADDRINUSE'
          ? `port ${options.port} is already in use: stop what uses it, set DYNAMODB_PORT to a free port, or set DYNAMODB_ENDPOINT to use a DynamoDB endpoint that is already running`
          : String(message.error);
      reject(new EmulatorStartError(`The DynamoDB emulator could not start: ${why}`));
    });
    child.once('exit', (code) =>
      reject(new EmulatorStartError(`The DynamoDB emulator exited with code ${code}`)),
    );
  });
}
