import { randomUUID } from 'node:crypto';
import { startAwsJsonServer } from './aws-json-server';

/**
 * A minimal Secrets Manager for tests: the AWS JSON 1.1 protocol the v3 SDK speaks
 * (`X-Amz-Target: secretsmanager.GetSecretValue`), secrets kept in memory by ARN or name.
 * GetSecretValue, the one call the collector makes (through Powertools Parameters), and
 * PutSecretValue, which the write-keys provisioner makes (lambda/provisioning/).
 */
export interface TestSecretsManager {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** Sets a secret's string value, by the ARN (or name) the function asks for. */
  put(secretId: string, secretString: string): void;
  /** GetSecretValue calls received, by secret id. */
  readonly reads: Map<string, number>;
  /** The secret's current string value, or `undefined` when there is no such secret. */
  valueOf(secretId: string): string | undefined;
  /** PutSecretValue calls received, by secret id. */
  readonly writes: Map<string, number>;
  stop(): Promise<void>;
}

export async function startTestSecretsManager(): Promise<TestSecretsManager> {
  const secrets = new Map<string, { value: string; versionId: string }>();
  const reads = new Map<string, number>();
  const writes = new Map<string, number>();
  const notFound = {
    status: 400,
    body: {
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    },
  };
  const server = await startAwsJsonServer({
    contentType: 'application/x-amz-json-1.1',
    internalErrorType: 'InternalServiceError',
    answer: ({ target, input }) => {
      if (target === 'secretsmanager.PutSecretValue') {
        const secretId = String(input.SecretId ?? '');
        writes.set(secretId, (writes.get(secretId) ?? 0) + 1);
        if (!secrets.has(secretId)) return notFound;
        const versionId = randomUUID();
        secrets.set(secretId, { value: String(input.SecretString ?? ''), versionId });
        return {
          status: 200,
          body: {
            ARN: secretId,
            Name: secretId.split(':').pop(),
            VersionId: versionId,
            VersionStages: ['AWSCURRENT'],
          },
        };
      }
      if (target !== 'secretsmanager.GetSecretValue') {
        return {
          status: 400,
          body: { __type: 'InvalidRequestException', message: `${target} is not supported here` },
        };
      }
      const secretId = String(input.SecretId ?? '');
      reads.set(secretId, (reads.get(secretId) ?? 0) + 1);
      const secret = secrets.get(secretId);
      if (secret === undefined) return notFound;
      return {
        status: 200,
        body: {
          ARN: secretId,
          Name: secretId.split(':').pop(),
          SecretString: secret.value,
          VersionId: secret.versionId,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        },
      };
    },
  });
  return {
    endpoint: server.endpoint,
    put: (secretId, value) => secrets.set(secretId, { value, versionId: randomUUID() }),
    reads,
    valueOf: (secretId) => secrets.get(secretId)?.value,
    writes,
    stop: server.stop,
  };
}
