import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/** The whole body of a request a test server received. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the upstream answered, read whole. */
export interface ForwardedAnswer {
  readonly status: number;
  /** The answer's `content-type`, the one header the fronts pass back. */
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/**
 * Sends a request a fault-injecting front received on to the server behind it (same method, path
 * and headers but `host`, with `body` already read) and reads the answer whole, so the front may
 * pass it back, change it or lose it.
 */
export function forwardRequest(
  upstream: string,
  request: IncomingMessage,
  body: Buffer,
): Promise<ForwardedAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, 'content-length': String(body.length) };
    delete headers.host;
    const outgoing = httpRequest(
      new URL(request.url ?? '/', upstream),
      { method: request.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () =>
          resolve({
            status: answer.statusCode ?? 500,
            contentType: answer.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Forwards a request (see {@link forwardRequest}) and answers the front's own client with what the
 * upstream answered; resolves whether it was passed back. If the upstream cannot be reached, the
 * client's connection is destroyed, as a dead upstream would leave it.
 */
export async function relayRequest(
  upstream: string,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): Promise<boolean> {
  try {
    const answer = await forwardRequest(upstream, request, body);
    response
      .writeHead(
        answer.status,
        answer.contentType === undefined ? {} : { 'content-type': answer.contentType },
      )
      .end(answer.body);
    return true;
  } catch {
    response.destroy();
    return false;
  }
}
