import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GENERATED_WRITE_KEY_ENTRY } from '../../lambda/contract/write-keys-secret';
import { type AwsConnection, clientConfig } from './aws-connection';

/** The write-key secret's value is not `{ "<sourceId>": "<key>" | ["<key>", ...] }`, or lacks the source. */
export class WriteKeySecretFormatError extends Error {
  override readonly name = 'WriteKeySecretFormatError';
}

/**
 * The first key of `sourceId` (default: the secret's first source other than the entry
 * CloudFormation generated, `GENERATED_WRITE_KEY_ENTRY`, which names no source on a stack whose
 * `sourceId` is another; that entry only when it is the only one) in the write-key secret's JSON
 * value, `{ "<sourceId>": "<key>" }` or `{ "<sourceId>": ["<key>", ...] }`.
 */
export function writeKeyOf(secretString: string, sourceId?: string): { sourceId: string; writeKey: string } {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch (error) {
    throw new WriteKeySecretFormatError("the secret's value is not JSON", { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WriteKeySecretFormatError("the secret's value is not a JSON object of source ids");
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const entry =
    sourceId === undefined
      ? (entries.find(([id]) => id !== GENERATED_WRITE_KEY_ENTRY) ?? entries[0])
      : entries.find(([id]) => id === sourceId);
  if (entry === undefined) {
    throw new WriteKeySecretFormatError(
      sourceId === undefined
        ? 'the secret names no source'
        : `the secret has no source "${sourceId}" (it has: ${entries.map(([id]) => id).join(', ')})`,
    );
  }
  const [id, keys] = entry;
  const key = Array.isArray(keys) ? keys[0] : keys;
  if (typeof key !== 'string' || key === '') {
    throw new WriteKeySecretFormatError(`source "${id}" has no key (a string or a list of strings)`);
  }
  return { sourceId: id, writeKey: key };
}

/** The Secrets Manager adapter: reads the write-key secret's value. */
export async function readWriteKeySecret(connection: AwsConnection, secretArn: string): Promise<string> {
  const client = new SecretsManagerClient(clientConfig(connection, 'secretsManager'));
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return SecretString ?? '';
  } finally {
    client.destroy();
  }
}
