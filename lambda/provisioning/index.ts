/**
 * The write-keys provisioner's Lambda entry point (lib/constructs/write-keys-secret.ts bundles it):
 * the Secrets Manager client is built once per container; the SDK is the one the runtime ships.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sendCloudFormationResponse } from './cloudformation-response';
import { randomWriteKey } from './random-write-key';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store';
import { createWriteKeysProvisioner } from './write-keys-provisioner';

export const handler = createWriteKeysProvisioner({
  store: new SecretsManagerSecretStore(new SecretsManagerClient({})),
  generateKey: () => randomWriteKey(),
  respond: sendCloudFormationResponse,
  log: (entry) => console.log(JSON.stringify(entry)),
});
