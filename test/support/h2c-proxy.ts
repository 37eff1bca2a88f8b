import { request as httpRequest } from 'node:http';
import {
  createServer as createH2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/** What the proxy answers instead of forwarding a call: a status and an AWS JSON error. */
export interface InjectedResponse {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/**
 * An {@link H2cProxy.inject} that refuses every PutRecords call with `AccessDeniedException`, as
 * Kinesis does when the writer role has lost its permission: a permanent fault, so the collector spills.
 */
export function refusePutRecords(target: string): InjectedResponse | undefined {
  return target.endsWith('.PutRecords')
    ? { status: 400, type: 'AccessDeniedException', message: 'not authorized (injected)' }
    : undefined;
}

export interface H2cProxy {
  /** `http://127.0.0.1:<port>`, spoken to with HTTP/2 over cleartext (prior knowledge). */
  readonly url: string;
  /** Decides, per call (`X-Amz-Target`), whether to answer an error instead of forwarding it. */
  inject?: (target: string) => InjectedResponse | undefined;
  /** Calls received, by `X-Amz-Target`. */
  readonly calls: Map<string, number>;
  /** Closes every open HTTP/2 session, as a server or load balancer drops idle connections. */
  dropConnections(): void;
  stop(): Promise<void>;
}

/**
 * An HTTP/2 cleartext front for an HTTP/1.1 emulator. The Kinesis client of SDK v3 talks HTTP/2
 * (as it does to AWS) unless given another handler, and kinesalite speaks only HTTP/1.1: with this
 * in front, the deployed code's own client (default handler, endpoint from
 * `AWS_ENDPOINT_URL_KINESIS`) reaches kinesalite unchanged.
 */
export async function startH2cProxy(upstream: string): Promise<H2cProxy> {
  const calls = new Map<string, number>();
  const handle = (request: Http2ServerRequest, response: Http2ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    calls.set(target, (calls.get(target) ?? 0) + 1);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const injected = proxy.inject?.(target);
      if (injected !== undefined) {
        response.writeHead(injected.status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: injected.type, message: injected.message }));
        return;
      }
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = { 'content-length': String(body.length) };
      for (const [name, value] of Object.entries(request.headers)) {
        if (name.startsWith(':') || name === 'content-length' || value === undefined) continue;
        headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const outgoing = httpRequest(
        new URL(request.url, upstream),
        { method: request.method, headers },
        (answer) => {
          const out: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => out.push(chunk));
          answer.on('end', () => {
            response.writeHead(answer.statusCode ?? 500, {
              'content-type': String(answer.headers['content-type'] ?? 'application/x-amz-json-1.1'),
            });
            response.end(Buffer.concat(out));
          });
        },
      );
      outgoing.on('error', () => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InternalFailure', message: 'upstream unreachable' }));
      });
      outgoing.end(body);
    });
  };
  const server: Http2Server = createH2Server(handle);
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: H2cProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    dropConnections: () => {
      for (const session of sessions) session.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
