import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What local Kinesis does to the collector's writes: `down` resets every connection. */
export type KinesisFault = 'ok' | 'down' | 'throttle' | 'slow';
/** What the local STS does: `deny` refuses every `AssumeRole` as a trust policy would. */
export type StsFault = 'ok' | 'deny';

/** The faults local mode injects between the handler and the emulator / local STS. */
export interface LocalFaults {
  readonly kinesis: KinesisFault;
  readonly sts: StsFault;
  /** How long each Kinesis call waits when `kinesis` is `slow`, in ms. */
  readonly slowMs: number;
}

/** No fault at all: what `npm start` begins with. */
export const NO_FAULTS: LocalFaults = { kinesis: 'ok', sts: 'ok', slowMs: 2000 };

const KINESIS_FAULTS: readonly KinesisFault[] = ['ok', 'down', 'throttle', 'slow'];
const STS_FAULTS: readonly StsFault[] = ['ok', 'deny'];

/** A `POST /_local/faults` body that cannot be applied; the message says what is accepted. */
export class FaultRequestError extends Error {
  override readonly name = 'FaultRequestError';
  readonly statusCode = 400;
}

/**
 * The faults after applying a request body such as `{"kinesis":"down"}` or
 * `{"kinesis":"slow","slowMs":5000,"sts":"deny"}`; fields left out keep their value.
 */
export function applyFaultRequest(current: LocalFaults, body: unknown): LocalFaults {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FaultRequestError('send a JSON object, e.g. {"kinesis":"down"} or {"kinesis":"ok","sts":"ok"}');
  }
  const problems: string[] = [];
  const { kinesis, sts, slowMs, ...rest } = body as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`unknown field "${key}" (use kinesis, sts, slowMs)`);
  if (kinesis !== undefined && !KINESIS_FAULTS.includes(kinesis as KinesisFault)) {
    problems.push(`kinesis must be one of ${KINESIS_FAULTS.map((f) => `"${f}"`).join(', ')}`);
  }
  if (sts !== undefined && !STS_FAULTS.includes(sts as StsFault)) {
    problems.push(`sts must be one of ${STS_FAULTS.map((f) => `"${f}"`).join(', ')}`);
  }
  if (
    slowMs !== undefined &&
    (!Number.isInteger(slowMs) || (slowMs as number) < 0 || (slowMs as number) > 60_000)
  ) {
    problems.push('slowMs must be a whole number of milliseconds from 0 to 60000');
  }
  if (problems.length > 0) throw new FaultRequestError(problems.join('; '));
  return {
    kinesis: (kinesis as KinesisFault | undefined) ?? current.kinesis,
    sts: (sts as StsFault | undefined) ?? current.sts,
    slowMs: (slowMs as number | undefined) ?? current.slowMs,
  };
}

export interface FaultProxyOptions {
  /** The emulator or local STS behind the proxy (`http://host:port`). */
  readonly upstream: string;
  /** Which service's faults apply. */
  readonly service: 'kinesis' | 'sts';
  /** The faults in force, read on every request. */
  readonly faults: () => LocalFaults;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** A running fault proxy: give its `url` to the collector instead of the upstream's. */
export interface FaultProxy {
  readonly url: string;
  stop(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
}

function stsDenied(response: ServerResponse): void {
  response.writeHead(403, { 'content-type': 'text/xml' }).end(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>sts:AssumeRole denied by the local fault switch (POST /_local/faults {"sts":"ok"} to allow it again)</Message>
  </Error>
  <RequestId>local-fault</RequestId>
</ErrorResponse>
`,
  );
}

/**
 * Streams the request to the upstream and its answer back, unchanged. When the upstream cannot be
 * reached (`ECONNREFUSED`: nothing listens at KINESIS_ENDPOINT), the caller gets a 502 whose AWS
 * JSON error type is that code and whose message is Node's own (`connect ECONNREFUSED
 * 127.0.0.1:4567`): the SDK names its error after it, so the collector reports what it would
 * without the proxy, a refused connection and where, instead of a connection the proxy cut.
 */
function pass(upstream: string, agent: Agent, request: IncomingMessage, response: ServerResponse): void {
  const headers = { ...request.headers };
  delete headers.host;
  const outgoing = httpRequest(
    new URL(request.url ?? '/', upstream),
    { method: request.method, headers, agent },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (response.headersSent || typeof error.code !== 'string') {
      request.socket.destroy();
      return;
    }
    request.resume();
    sendJson(response, 502, { __type: error.code, message: error.message });
  });
  request.pipe(outgoing);
}

/**
 * A loopback proxy in front of the Kinesis emulator or the local STS that fails calls the way the
 * real service does when switched to (`POST /_local/faults`), and passes everything through
 * untouched otherwise. Only writes are failed (`PutRecords`, `PutRecord`, `AssumeRole`): the live
 * events page and `npm run tail` read the emulator directly and keep working.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer(async (request, response) => {
    const faults = options.faults();
    if (options.service === 'sts') {
      if (faults.sts === 'deny') {
        request.resume();
        stsDenied(response);
        return;
      }
      pass(options.upstream, agent, request, response);
      return;
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    const isWrite = target.endsWith('.PutRecords') || target.endsWith('.PutRecord');
    if (!isWrite || faults.kinesis === 'ok') {
      pass(options.upstream, agent, request, response);
      return;
    }
    if (faults.kinesis === 'down') {
      request.socket.destroy();
      return;
    }
    if (faults.kinesis === 'throttle') {
      request.resume();
      sendJson(response, 400, {
        __type: 'ProvisionedThroughputExceededException',
        message:
          'Rate exceeded for stream (local fault switch: POST /_local/faults {"kinesis":"ok"} to end it)',
      });
      return;
    }
    await sleep(faults.slowMs);
    if (request.socket.destroyed) return;
    pass(options.upstream, agent, request, response);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
