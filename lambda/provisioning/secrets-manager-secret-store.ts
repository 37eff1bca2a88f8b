import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Where the provisioner reads and writes a secret's string value. */
export interface SecretStore {
  read(secretId: string): Promise<string>;
  write(secretId: string, secretString: string): Promise<void>;
}

/** The write-keys secret read from and written to Secrets Manager (`AWSCURRENT` version). */
export class SecretsManagerSecretStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async read(secretId: string): Promise<string> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined) {
      throw new TypeError(`the secret ${secretId} holds binary data, not the write keys' JSON`);
    }
    return SecretString;
  }

  async write(secretId: string, secretString: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString }));
  }
}
