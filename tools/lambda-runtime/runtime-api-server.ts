import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const PREFIX = '/2018-06-01/runtime';

/** What the function answered to one invocation, and how long it took as the Runtime API saw it. */
export interface Invocation {
  readonly requestId: string;
  /** `response`: POST .../response; `error`: POST .../error (the handler threw or rejected). */
  readonly outcome: 'response' | 'error';
  /** The raw body the runtime posted (the handler's result, or the error document). */
  readonly body: string;
  /** `Lambda-Runtime-Function-Error-Type` of an error answer. */
  readonly errorType?: string;
  /** From the moment the event was handed out (answer to `/next`) to the function's answer. */
  readonly durationMs: number;
}

/** What the runtime reported while initialising, or `ready` when it first asked for an event. */
export type InitOutcome =
  | { readonly outcome: 'ready'; readonly atMs: number }
  | { readonly outcome: 'error'; readonly atMs: number; readonly errorType: string; readonly body: string };

/** Options of one invocation. */
export interface InvokeOptions {
  /**
   * The function's time budget: sent as `Lambda-Runtime-Deadline-Ms`, so `context.getRemainingTimeInMillis()`
   * counts down from it.
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /** @default a random UUID */
  readonly requestId?: string;
}

interface Pending {
  readonly requestId: string;
  readonly event: string;
  readonly timeoutMs: number;
  handedOutAt?: number;
  readonly settle: (invocation: Invocation) => void;
  readonly fail: (error: Error) => void;
}

/**
 * A local stand-in for the Lambda Runtime API (the `AWS_LAMBDA_RUNTIME_API` endpoint a runtime interface
 * client polls), enough to run a real runtime and a real bundle outside AWS:
 * `GET /runtime/invocation/next` (held open until {@link invoke} has an event, as Lambda does between
 * invocations), `POST /runtime/invocation/{id}/response|error` and `POST /runtime/init/error`.
 *
 * One invocation at a time, in order (the standard, non multi-concurrent mode). Times are
 * `performance.now()` of this process, so they compare directly with the launcher's spawn time.
 */
export class RuntimeApiServer {
  private readonly server: Server;
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private parkedNext: ServerResponse | undefined;
  private held = false;
  private initSettled = false;
  private resolveInit!: (outcome: InitOutcome) => void;
  /** Resolves when the runtime first asks for an event (init done) or reports an init error. */
  readonly init: Promise<InitOutcome>;
  /** Every `/next` request the runtime made, with when it arrived. */
  readonly nextRequestsAt: number[] = [];

  constructor() {
    this.init = new Promise((resolve) => {
      this.resolveInit = resolve;
    });
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errorMessage: String(error) }));
      });
    });
    this.server.keepAliveTimeout = 0;
  }

  /** Listens on a free loopback port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /**
   * Queues one event; it is handed to the runtime on its next `/next` (at once if one is waiting) and the
   * promise settles with the function's answer. Rejects if the server stops first.
   */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    return new Promise((settle, fail) => {
      this.queue.push({
        requestId: options.requestId ?? randomUUID(),
        event: JSON.stringify(event),
        timeoutMs: options.timeoutMs ?? 10_000,
        settle,
        fail,
      });
      this.dispatch();
    });
  }

  /**
   * Stops handing out events (a `/next` waits unanswered) until {@link release}: what a runtime sees while
   * Lambda keeps the execution environment idle.
   */
  hold(): void {
    this.held = true;
  }

  /** Ends {@link hold}: a waiting `/next` gets the next queued event. */
  release(): void {
    this.held = false;
    this.dispatch();
  }

  /** Closes the server; queued and running invocations reject. */
  async stop(): Promise<void> {
    const gone = new Error('Runtime API server stopped');
    for (const pending of [...this.queue.splice(0), ...this.inFlight.values()]) pending.fail(gone);
    this.inFlight.clear();
    this.parkedNext?.destroy();
    this.parkedNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private settleInit(outcome: InitOutcome): void {
    if (this.initSettled) return;
    this.initSettled = true;
    this.resolveInit(outcome);
  }

  private dispatch(): void {
    const next = this.parkedNext;
    if (this.held || next === undefined) return;
    const pending = this.queue.shift();
    if (pending === undefined) return;
    this.parkedNext = undefined;
    pending.handedOutAt = performance.now();
    this.inFlight.set(pending.requestId, pending);
    next.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + pending.timeoutMs),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:123456789012:function:local',
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    next.end(pending.event);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '';
    if (request.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      this.nextRequestsAt.push(performance.now());
      this.settleInit({ outcome: 'ready', atMs: performance.now() });
      this.parkedNext = response;
      response.on('close', () => {
        if (this.parkedNext === response) this.parkedNext = undefined;
      });
      this.dispatch();
      return;
    }
    const body = await readBody(request);
    const errorType = request.headers['lambda-runtime-function-error-type'];
    if (request.method === 'POST' && url === `${PREFIX}/init/error`) {
      this.settleInit({
        outcome: 'error',
        atMs: performance.now(),
        errorType: typeof errorType === 'string' ? errorType : 'Unknown',
        body,
      });
      accepted(response);
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (request.method === 'POST' && match) {
      const requestId = decodeURIComponent(match[1] as string);
      const pending = this.inFlight.get(requestId);
      if (pending === undefined) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errorMessage: `unknown request id ${requestId}` }));
        return;
      }
      this.inFlight.delete(requestId);
      accepted(response);
      pending.settle({
        requestId,
        outcome: match[2] as 'response' | 'error',
        body,
        ...(typeof errorType === 'string' ? { errorType } : {}),
        durationMs: performance.now() - (pending.handedOutAt ?? performance.now()),
      });
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ errorMessage: `no route ${request.method} ${url}` }));
  }
}

function accepted(response: ServerResponse): void {
  response.writeHead(202, { 'content-type': 'application/json' });
  response.end('{"status":"OK"}');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
