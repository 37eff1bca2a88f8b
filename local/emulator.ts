import { fork } from 'node:child_process';

/** A running local emulator (kinesalite or dynalite) in a child process. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The emulator could not start; `message` says why and what to do. */
export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

/** The names of the variables that pass an emulator's port and host to its child process. */
export interface EmulatorChildVariables {
  readonly port: string;
  readonly host: string;
}

/** Which emulator to start and the names its messages use. */
export interface EmulatorSpec {
  /** The service in messages, e.g. `Kinesis`. */
  readonly service: string;
  /** Absolute path of the child-process entry (it calls `serveEmulator`). */
  readonly entry: string;
  /** The variables that pass port and host to the child (read there by `serveEmulator`). */
  readonly childVariables: EmulatorChildVariables;
  /** The local-mode variable that sets the port, named when the port is taken. */
  readonly portVariable: string;
  /** The local-mode variable that names a running endpoint instead, named when the port is taken. */
  readonly endpointVariable: string;
}

/**
 * Starts the emulator `spec` names in a child process on `host:port` (port 0 picks a free one) and
 * resolves once it listens; rejects with an {@link EmulatorStartError} when it cannot.
 */
export function startEmulator(
  spec: EmulatorSpec,
  options: { port: number; host?: string },
): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const child = fork(spec.entry, [], {
    // tsx's CommonJS hooks alone: the entry and the emulators are CommonJS, and `--import tsx`
    // would also start tsx's ES-module loader thread, ~0.4 s of CPU more at every start.
    execArgv: ['--require', 'tsx/cjs'],
    env: {
      ...process.env,
      [spec.childVariables.port]: String(options.port),
      [spec.childVariables.host]: host,
    },
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
          ? `port ${options.port} is already in use: stop what uses it, set ${spec.portVariable} to a free port, or set ${spec.endpointVariable} to use a ${spec.service} endpoint that is already running`
          : String(message.error);
      reject(new EmulatorStartError(`The ${spec.service} emulator could not start: ${why}`));
    });
    child.once('exit', (code) =>
      reject(new EmulatorStartError(`The ${spec.service} emulator exited with code ${code}`)),
    );
  });
}
