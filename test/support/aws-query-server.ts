import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

/** One call of the AWS Query protocol: its `Action` and its other form parameters (`A.member.1` flattened). */
export interface AwsQueryCall {
  readonly action: string;
  readonly params: URLSearchParams;
}

/**
 * What an answer's XML is built from: text (strings, numbers, booleans), lists (`<member>`
 * elements), maps (`Map`: `<entry>` elements of `<key>` and `<value>`), objects (one element per
 * field that is not `undefined`).
 */
export type XmlValue = unknown;

/** The answer to a call: its `<Action>Result` content, or an error (`Sender` fault, status 400 unless told). */
export type AwsQueryAnswer =
  | { readonly result: Readonly<Record<string, XmlValue>> }
  | { readonly error: { readonly code: string; readonly message: string; readonly status?: number } };

export interface AwsQueryServerOptions {
  /** The service's XML namespace, e.g. `http://cloudformation.amazonaws.com/doc/2010-05-15/`. */
  readonly xmlns: string;
  answer(call: AwsQueryCall): AwsQueryAnswer;
}

export interface AwsQueryServer {
  /** `http://127.0.0.1:<port>`: the service's `AWS_ENDPOINT_URL_<SERVICE>` or a client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The XML of one value, as the Query protocol writes lists (`member`) and maps (`entry`). */
export function toXml(value: XmlValue): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return escapeXml(String(value));
  }
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (value instanceof Map) {
    return [...value]
      .map(([key, item]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(item)}</value></entry>`)
      .join('');
  }
  return Object.entries(value as Record<string, XmlValue>)
    .filter(([, item]) => item !== undefined)
    .map(([name, item]) => `<${name}>${toXml(item)}</${name}>`)
    .join('');
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The HTTP side of the tests' stand-ins for AWS Query services (CloudFormation, SNS, IAM): a form
 * POST whose `Action` names the call, an XML answer wrapped in `<Action>Response` and
 * `<Action>Result` (errors in `<ErrorResponse>`), on a free loopback port, as the v3 SDK reads them.
 */
export async function startAwsQueryServer(options: AwsQueryServerOptions): Promise<AwsQueryServer> {
  const server = createServer(async (request, response) => {
    const requestId = randomUUID();
    const params = await readForm(request);
    const action = params.get('Action') ?? '';
    let answer: AwsQueryAnswer;
    try {
      answer = options.answer({ action, params });
    } catch (error) {
      answer = { error: { code: 'InternalFailure', message: (error as Error).message, status: 500 } };
    }
    const headers = { 'content-type': 'text/xml', 'x-amzn-requestid': requestId };
    if ('error' in answer) {
      const { code, message, status = 400 } = answer.error;
      response
        .writeHead(status, headers)
        .end(
          `<ErrorResponse xmlns="${options.xmlns}"><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      return;
    }
    response
      .writeHead(200, headers)
      .end(
        `<${action}Response xmlns="${options.xmlns}"><${action}Result>${toXml(answer.result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
  });
  return listenOnLoopback(server);
}

/** The answer to an action the stand-in does not implement. */
export const unsupported = (action: string): AwsQueryAnswer => ({
  error: { code: 'InvalidAction', message: `${action} is not supported here` },
});
