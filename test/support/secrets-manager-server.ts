import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal Secrets Manager for tests: the AWS JSON 1.1 protocol the v3 SDK speaks
 * (`X-Amz-Target: secretsmanager.GetSecretValue`), secrets kept in memory by ARN or name. Only
 * GetSecretValue, the one call the collector makes (through Powertools Parameters).
 */
export interface TestSecretsManager {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** Sets a secret's string value, by the ARN (or name) the function asks for. */
  put(secretId: string, secretString: string): void;
  /** GetSecretValue calls received, by secret id. */
  readonly reads: Map<string, number>;
  stop(): Promise<void>;
}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

export async function startTestSecretsManager(): Promise<TestSecretsManager> {
  const secrets = new Map<string, { value: string; versionId: string }>();
  const reads = new Map<string, number>();
  const server = createServer(async (request, response) => {
    const answer = (status: number, payload: unknown) =>
      response
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
        .end(JSON.stringify(payload));
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = await readJson(request);
      if (target !== 'secretsmanager.GetSecretValue') {
        answer(400, { __type: 'InvalidRequestException', message: `${target} is not supported here` });
        return;
      }
      const secretId = String(input.SecretId ?? '');
      reads.set(secretId, (reads.get(secretId) ?? 0) + 1);
      const secret = secrets.get(secretId);
      if (secret === undefined) {
        answer(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      answer(200, {
        ARN: secretId,
        Name: secretId.split(':').pop(),
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    } catch (error) {
      answer(500, { __type: 'InternalServiceError', message: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (secretId, value) => secrets.set(secretId, { value, versionId: randomUUID() }),
    reads,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
