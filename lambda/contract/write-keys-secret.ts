/**
 * The write-keys secret's shape, shared by the construct that creates it (lib/constructs/
 * write-keys-secret.ts), the provisioner that adds keys to it (lambda/provisioning/) and the
 * collector that reads it (lambda/http/secrets-manager-write-keys.ts):
 * `{ "<sourceId>": "<key>" | ["<key>", ...] }`.
 */

/**
 * The entry CloudFormation's `GenerateSecretString` writes when it creates the secret. A constant,
 * never a context value: CloudFormation generates a new value (overwriting every key in the secret)
 * whenever a generation setting changes, so none may depend on the deployment's configuration.
 * `default` is what earlier versions wrote for the default `sourceId`, so their secrets keep their
 * value. On a stack without a source of this id the entry names no source: the collector ignores it.
 */
export const GENERATED_WRITE_KEY_ENTRY = 'default';

/** Length of a generated write key (letters and digits only, like the one `GenerateSecretString` makes). */
export const WRITE_KEY_LENGTH = 40;

/** The characters of a generated write key: no punctuation, so it needs no escaping in a page or a URL. */
export const WRITE_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
