import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

/** One call of the AWS JSON protocol: its `X-Amz-Target` and its JSON input. */
export interface AwsJsonCall {
  /** `X-Amz-Target`, e.g. `secretsmanager.GetSecretValue` or `AmazonSQS.SendMessageBatch`. */
  readonly target: string;
  readonly input: Record<string, unknown>;
}

/** The answer to a call: an HTTP status and a JSON body (`{ __type, message }` for an error). */
export interface AwsJsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AwsJsonServerOptions {
  /** The protocol version the service speaks: its `content-type`. */
  readonly contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  /** Answers one call. What it throws is answered 500 with `internalErrorType`. */
  answer(call: AwsJsonCall): AwsJsonAnswer;
  /**
   * The `__type` of the 500 answer to a call `answer` threw on (or whose body is not JSON).
   * @default 'InternalFailure'
   */
  readonly internalErrorType?: string;
}

export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>`: the service's `AWS_ENDPOINT_URL_<SERVICE>` or a client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/**
 * The HTTP side every local AWS stand-in of the tests shares: the AWS JSON protocol the v3 SDK
 * speaks (a POST whose `X-Amz-Target` names the action, JSON in and out, a request id on every
 * answer), on a free loopback port. The stand-in only says how each call is answered.
 */
export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const server = createServer(async (request, response) => {
    const send = ({ status, body }: AwsJsonAnswer) =>
      response
        .writeHead(status, { 'content-type': options.contentType, 'x-amzn-requestid': randomUUID() })
        .end(JSON.stringify(body));
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      send(options.answer({ target, input: await readJson(request) }));
    } catch (error) {
      send({
        status: 500,
        body: { __type: options.internalErrorType ?? 'InternalFailure', message: (error as Error).message },
      });
    }
  });
  return listenOnLoopback(server);
}
