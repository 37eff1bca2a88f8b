import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuQuotaCgroup } from './cpu-quota-cgroup';
import { type Invocation, type InvokeOptions, RuntimeApiServer } from './runtime-api-server';

/** How to start one execution environment. */
export interface LambdaProcessOptions {
  /** The function's code directory (`LAMBDA_TASK_ROOT`), e.g. a cloud-assembly asset directory. */
  readonly codeDir: string;
  /**
   * `file.export` inside {@link codeDir} (`_HANDLER`).
   * @default 'index.handler'
   */
  readonly handler?: string;
  /**
   * The function's own environment variables (e.g. read from the synthesized template), laid over the
   * variables Lambda sets. `NODE_OPTIONS` given here reaches Node as it does in Lambda.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, and the heap limits the managed runtime derives from it.
   * @default 256
   */
  readonly memorySizeMb?: number;
  /**
   * Run the process in a CPU-quota cgroup at the vCPU share Lambda gives {@link memorySizeMb}
   * (root and cgroup v1 only; see cpu-quota-cgroup.ts).
   * @default false: the process gets whatever CPU the machine has
   */
  readonly cpuQuota?: boolean;
  /**
   * The Node.js binary.
   * @default the `node-<platform>-<arch>` package's binary (Node 24, the deployed runtime's major)
   */
  readonly nodeBinary?: string;
  /**
   * Longest wait for the runtime to ask for its first event.
   * @default 30_000
   */
  readonly initTimeoutMs?: number;
}

/** The runtime exited, timed out or posted `/init/error` before asking for its first event. */
export class LambdaInitError extends Error {
  override readonly name = 'LambdaInitError';
  constructor(
    message: string,
    /** The process's stdout and stderr so far. */
    readonly logs: string,
    options?: ErrorOptions,
  ) {
    super(`${message}\n--- runtime output ---\n${logs}`, options);
  }
}

/** The Node.js 24 binary from the platform's `node-<platform>-<arch>` npm package (a devDependency). */
export function node24Binary(): string {
  const name = `node-${process.platform}-${process.arch}`;
  let packageJson: string;
  try {
    packageJson = require.resolve(`${name}/package.json`);
  } catch (error) {
    throw new Error(
      `${name} is not installed: add it as a devDependency (npm install --save-dev ${name}@24)`,
      {
        cause: error,
      },
    );
  }
  return join(dirname(packageJson), 'bin', 'node');
}

/** The runtime interface client's entry (`aws-lambda-ric/index.mjs`), checked to have its native addon built. */
export function runtimeInterfaceClientEntry(): string {
  const root = dirname(require.resolve('aws-lambda-ric/package.json'));
  if (!existsSync(join(root, 'rapid-client.node'))) {
    throw new Error(
      'aws-lambda-ric is installed without its native client (rapid-client.node): its install script did not run or failed. ' +
        'It needs cmake, make and g++, and package.json "allowScripts"; run `npm rebuild aws-lambda-ric` and read its output.',
    );
  }
  return join(root, 'index.mjs');
}

/**
 * The Node flags of the managed Node.js runtime's bootstrap for a memory size: `--expose-gc`,
 * `--max-http-header-size 81920`, and a young generation of a tenth of the memory (semi-space half of
 * it), the rest for the old generation.
 */
export function runtimeNodeFlags(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size',
    '81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpace}`,
  ];
}

/**
 * One Lambda execution environment on this machine: the npm `aws-lambda-ric` (the runtime interface
 * client AWS publishes) on a Node 24 binary, loading the function from {@link LambdaProcessOptions.codeDir}
 * and polling a local {@link RuntimeApiServer}, with the environment variables Lambda sets.
 *
 * Start it with {@link startLambdaProcess}; {@link initMs} is Lambda's "Init Duration" (process start to
 * the first `/next`), {@link invoke} returns each invocation's answer and duration, {@link freeze}
 * suspends the process between invocations as Lambda does, and {@link peakRssBytes} is the process's
 * high-water resident set (what Lambda reports as "Max Memory Used").
 */
export class LambdaProcess {
  /** Process start to the runtime's first `/next`, in ms. */
  initMs = Number.NaN;
  private readonly output: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(
    readonly runtimeApi: RuntimeApiServer,
    private readonly child: ChildProcess,
    private readonly cgroup: CpuQuotaCgroup | undefined,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : -1);
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Everything the runtime and the function wrote to stdout and stderr so far. */
  logs(): string {
    return this.output.join('');
  }

  /** Sends one event and waits for the function's answer. */
  invoke(event: unknown, options?: InvokeOptions): Promise<Invocation> {
    if (!this.running) return Promise.reject(new Error(`the runtime has exited:\n${this.logs()}`));
    return Promise.race([
      this.runtimeApi.invoke(event, options),
      this.exited.then(() => {
        throw new Error(`the runtime exited during the invocation (code ${this.exitCode}):\n${this.logs()}`);
      }),
    ]);
  }

  /**
   * Suspends the whole process (SIGSTOP) for `ms`, then resumes it (SIGCONT): timers, sockets and the
   * clock behave as after Lambda thaws an idle environment. Call it between invocations.
   */
  async freeze(ms: number): Promise<void> {
    this.child.kill('SIGSTOP');
    await sleep(ms);
    this.child.kill('SIGCONT');
  }

  /** High-water resident set size (`VmHWM`), in bytes. */
  peakRssBytes(): number {
    return this.statusField('VmHWM');
  }

  /** Resident set size now (`VmRSS`), in bytes. */
  rssBytes(): number {
    return this.statusField('VmRSS');
  }

  /** CPU time the process was throttled by its quota so far, in ms (0 without {@link LambdaProcessOptions.cpuQuota}). */
  throttledMs(): number {
    return this.cgroup?.throttledMs() ?? 0;
  }

  /** Kills the process (SIGKILL, as Lambda does to an environment it reclaims) and stops the server. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGKILL');
    }
    await this.exited;
    this.cgroup?.remove();
    await this.runtimeApi.stop();
  }

  private statusField(field: string): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${this.pid}/status`);
    return Number(match[1]) * 1024;
  }

  /** @internal */
  async waitForInit(spawnedAt: number, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.runtimeApi.init,
      this.exited.then(() => ({ outcome: 'exited' as const })),
      new Promise<{ outcome: 'timeout' }>((resolve) => {
        timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome.outcome === 'ready') {
      this.initMs = outcome.atMs - spawnedAt;
      return;
    }
    const reason =
      outcome.outcome === 'error'
        ? `the function failed to initialise (${outcome.errorType}): ${outcome.body}`
        : outcome.outcome === 'exited'
          ? `the runtime exited during init (code ${this.exitCode})`
          : `the runtime did not ask for an event within ${timeoutMs} ms`;
    const logs = this.logs();
    await this.stop();
    throw new LambdaInitError(reason, logs);
  }
}

/**
 * How the managed runtime's bootstrap starts Node: directly, or, when the function's environment sets
 * `AWS_LAMBDA_EXEC_WRAPPER`, through that wrapper with Node's path and arguments as its arguments (a
 * path under `/var/task/` is the function's code directory here). Like the bootstrap, a wrapper that
 * is missing or not executable fails the start.
 */
export function bootstrapCommand(
  node: string,
  nodeArgs: readonly string[],
  options: Pick<LambdaProcessOptions, 'codeDir' | 'environment'>,
): { command: string; args: string[] } {
  const wrapper = options.environment?.AWS_LAMBDA_EXEC_WRAPPER;
  if (wrapper === undefined || wrapper === '') return { command: node, args: [...nodeArgs] };
  const path = wrapper.startsWith('/var/task/')
    ? resolve(options.codeDir, wrapper.slice('/var/task/'.length))
    : wrapper;
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new Error(`AWS_LAMBDA_EXEC_WRAPPER ${wrapper} (${path}) is missing or not executable`, {
      cause: error,
    });
  }
  return { command: path, args: [node, ...nodeArgs] };
}

/**
 * Starts a runtime API server and one execution environment for the function, and resolves once the
 * runtime has initialised (asked for its first event). Rejects with {@link LambdaInitError} if it fails
 * to. Always {@link LambdaProcess.stop} it.
 */
export async function startLambdaProcess(options: LambdaProcessOptions): Promise<LambdaProcess> {
  const memorySizeMb = options.memorySizeMb ?? 256;
  const entry = runtimeInterfaceClientEntry();
  const node = options.nodeBinary ?? node24Binary();
  const nodeArgs = [...runtimeNodeFlags(memorySizeMb), entry];
  const bootstrap = bootstrapCommand(node, nodeArgs, options);
  const runtimeApi = await new RuntimeApiServer().start();
  const cgroup = options.cpuQuota ? CpuQuotaCgroup.create(memorySizeMb) : undefined;
  const command = cgroup ? cgroup.wrap(bootstrap.command, bootstrap.args) : bootstrap;
  const region = options.environment?.AWS_REGION ?? 'eu-west-1';
  const env: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'local-function',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/local-function',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/29/[$LATEST]local',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...options.environment,
    // What the runtime itself owns (reserved in Lambda): the function's variables cannot change these.
    PATH: `${dirname(node)}:/usr/local/bin:/usr/bin:/bin`,
    LAMBDA_TASK_ROOT: options.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(entry),
    _HANDLER: options.handler ?? 'index.handler',
    AWS_LAMBDA_RUNTIME_API: runtimeApi.address,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
  };
  const spawnedAt = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(command.command, command.args, {
      cwd: options.codeDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    cgroup?.remove();
    await runtimeApi.stop();
    throw error;
  }
  const lambda = new LambdaProcess(runtimeApi, child, cgroup);
  await lambda.waitForInit(spawnedAt, options.initTimeoutMs ?? 30_000);
  return lambda;
}
