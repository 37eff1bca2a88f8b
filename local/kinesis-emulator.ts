import { fork } from 'node:child_process';
import { resolve } from 'node:path';

/** A running local Kinesis emulator. */
export interface KinesisEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The emulator could not start; `message` says why and what to do. */
export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

/**
 * Starts kinesalite (in memory) in a child process on `host:port` (port 0 picks a free one) and
 * resolves once it listens.
 */
export function startKinesisEmulator(options: { port: number; host?: string }): Promise<KinesisEmulator> {
  const host = options.host ?? '127.0.0.1';
  const child = fork(resolve(__dirname, 'kinesis-emulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KINESIS_EMULATOR_PORT: String(options.port), KINESIS_EMULATOR_HOST: host },
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
          ? `port ${options.port} is already in use: stop what uses it, set KINESIS_PORT to a free port, or set KINESIS_ENDPOINT to use a Kinesis endpoint that is already running`
          : String(message.error);
      reject(new EmulatorStartError(`The Kinesis emulator could not start: ${why}`));
    });
    child.once('exit', (code) =>
      reject(new EmulatorStartError(`The Kinesis emulator exited with code ${code}`)),
    );
  });
}
