import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SecretHashKey } from '../../lambda/delivery/hash-key';
import type { FieldHashKey } from '../../lambda/events/field-rules';

/** Where the operator's tools read the hash key secret. */
export interface HashKeySecretLocation {
  /** The secret's ARN or name: the collector stack's `HashKeySecretArn` output. */
  readonly secretId: string;
  /** @default the SDK's: AWS_REGION, else the profile's region */
  readonly region?: string;
  /** A profile of `~/.aws/credentials` / `~/.aws/config`. @default the SDK's credential chain */
  readonly profile?: string;
  /**
   * A Secrets Manager-compatible endpoint (a stand-in over plain HTTP takes dummy credentials).
   * @default AWS_ENDPOINT_URL_SECRETS_MANAGER of `env`, else AWS
   */
  readonly endpoint?: string;
}

/**
 * The deployment's hash key (`{ "version", "key" }`, docs/privacy.md), read with the operator's own
 * credentials (`secretsmanager:GetSecretValue` on the secret): what `npm run suppress` hashes ids
 * with and `npm run replay-failed` applies keyed `hash` rules with, so both make the hashes the
 * deployed collector makes. A secret that is not such a key fails with a message saying its shape.
 */
export async function readHashKeySecret(
  location: HashKeySecretLocation,
  env: NodeJS.ProcessEnv,
): Promise<FieldHashKey> {
  const endpoint = location.endpoint ?? (env.AWS_ENDPOINT_URL_SECRETS_MANAGER || undefined);
  const client = new SecretsManagerClient({
    ...(location.region === undefined ? {} : { region: location.region }),
    ...(location.profile === undefined ? {} : { profile: location.profile }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(endpoint?.startsWith('http://') === true
      ? {
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          region: location.region ?? 'us-east-1',
        }
      : {}),
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 20_000 }),
  });
  try {
    return await new SecretHashKey(location.secretId, async (secretId) => {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      try {
        return JSON.parse(SecretString ?? '');
      } catch (error) {
        throw new Error(`The hash key secret ${secretId} does not hold JSON`, { cause: error });
      }
    }).key();
  } finally {
    client.destroy();
  }
}
