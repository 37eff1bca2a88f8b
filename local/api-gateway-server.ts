import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { CollectorHandler } from '../lambda/handler';
import { toApiGatewayEvent } from './api-gateway-event';

export interface ApiGatewayServerOptions {
  readonly handler: CollectorHandler;
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The deployed function's timeout, as seen by `getRemainingTimeInMillis`. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Local-only pages (the live events page): tried before the handler; returns true when it
   * answered the request. @default none
   */
  readonly localRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Called with each event the handler answered and its answer (the live events page). @default none */
  readonly onExchange?: (event: APIGatewayProxyEventV2, result: APIGatewayProxyResultV2) => void;
}

export interface ApiGatewayServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** HTTP API's payload limit: larger requests never reach the function. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

function lambdaContext(timeoutMs: number, requestId: string): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'kinesis-event-forwarder-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:kinesis-event-forwarder-local',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/kinesis-event-forwarder-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > API_GATEWAY_MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size)),
    );
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || result === undefined || result === null || !('statusCode' in result)) {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    return;
  }
  const body =
    result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  response.writeHead(result.statusCode ?? 200).end(body);
}

/**
 * A local stand-in for API Gateway: each request becomes the HTTP API (payload 2.0) event the
 * deployed API would send, goes through the same handler, and its answer is written back.
 */
export function startApiGatewayServer(options: ApiGatewayServerOptions): Promise<ApiGatewayServer> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = createServer(async (request, response) => {
    try {
      if (options.localRoutes?.(request, response)) return;
      const body = await readBody(request);
      if (body === undefined) {
        response.writeHead(413, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Request Entity Too Large' }));
        return;
      }
      const event = toApiGatewayEvent(request, body);
      const result = await options.handler(
        event,
        lambdaContext(timeoutMs, event.requestContext.requestId ?? randomUUID()),
      );
      send(response, result);
      try {
        options.onExchange?.(event, result);
      } catch (error) {
        console.error('local collector: onExchange failed', error);
      }
    } catch (error) {
      console.error('local collector: the handler failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
