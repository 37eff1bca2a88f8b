import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

/** A TypeScript module of bench/ run in its own Node process (through tsx, as `npm start` runs). */
export interface BenchChild {
  readonly process: ChildProcess;
  /** Sends `{ type, ...payload }` and resolves with the first answer of the same `type`. */
  ask<T>(type: string, payload?: Record<string, unknown>): Promise<T>;
  /** Resolves with the first message of `type` (e.g. a readiness report). */
  next<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks `bench/<module>` with extra env; stdout and stderr go to the parent's. */
export function forkBenchChild(module: string, env: Record<string, string> = {}): BenchChild {
  const child = fork(resolve(__dirname, module), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolvePromise, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${module} exited with code ${code}`));
      const onMessage = (message: { type?: string }) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolvePromise(message as T);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return {
    process: child,
    next,
    ask: <T>(type: string, payload: Record<string, unknown> = {}) => {
      const answer = next<T>(type);
      child.send({ type, ...payload });
      return answer;
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
