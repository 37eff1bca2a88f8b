import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal SSM Parameter Store for tests: the AWS JSON 1.1 protocol the v3 SDK speaks
 * (`X-Amz-Target: AmazonSSM.GetParameter`), parameters in memory by name. Only GetParameter, the one
 * call the collector makes.
 */
export interface TestSsm {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SSM` or a client's `endpoint`. */
  readonly endpoint: string;
  put(name: string, value: string, type?: 'String' | 'SecureString'): void;
  /** GetParameter calls received, with their `WithDecryption` flag. */
  readonly reads: { name: string; withDecryption: boolean }[];
  stop(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startTestSsm(): Promise<TestSsm> {
  const parameters = new Map<string, { value: string; type: string; version: number }>();
  const reads: TestSsm['reads'] = [];
  const server = createServer(async (request, response) => {
    const answer = (status: number, payload: unknown) =>
      response
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
        .end(JSON.stringify(payload));
    const target = String(request.headers['x-amz-target'] ?? '');
    const input = await readJson(request);
    if (target !== 'AmazonSSM.GetParameter') {
      answer(400, { __type: 'ValidationException', message: `${target} is not supported here` });
      return;
    }
    const name = String(input.Name ?? '');
    reads.push({ name, withDecryption: input.WithDecryption === true });
    const parameter = parameters.get(name);
    if (parameter === undefined) {
      answer(400, { __type: 'ParameterNotFound', message: '' });
      return;
    }
    answer(200, {
      Parameter: {
        Name: name,
        Type: parameter.type,
        Value: parameter.value,
        Version: parameter.version,
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
        DataType: 'text',
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (name, value, type = 'String') =>
      parameters.set(name, { value, type, version: (parameters.get(name)?.version ?? 0) + 1 }),
    reads,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
