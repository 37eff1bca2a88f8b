/**
 * The hash key secret's shape: the deployment's one key of keyed hashing (field rules' `hash` and
 * suppressed ids), shared by the construct that creates it (lib/constructs/field-hash-key-secret.ts),
 * the collector that reads it (env `FIELD_HASH_KEY_SECRET_ARN`) and the tools that hash with it
 * (`npm run suppress`, `npm run replay-failed`): `{ "version": "v1", "key": "<64 letters and digits>" }`.
 * Rotating means writing a new `key` with a new `version` (docs/privacy.md): hashes made before and
 * after no longer join, and suppressions must be added again.
 */
export const FIELD_HASH_KEY_GENERATED_ENTRY = 'key';

/** The version CloudFormation's generated value carries. */
export const FIELD_HASH_KEY_FIRST_VERSION = 'v1';

/** Length of the generated key (letters and digits: 64 of them carry about 380 bits). */
export const FIELD_HASH_KEY_LENGTH = 64;

/** The secret's value does not hold a usable key: says what it must look like. */
export class FieldHashKeySecretError extends Error {
  override readonly name = 'FieldHashKeySecretError';
}

/** The key in the secret's value (already parsed from JSON), or an error naming what is wrong. */
export function fieldHashKeyOf(value: unknown): { readonly version: string; readonly secret: string } {
  const { version, key } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (typeof version !== 'string' || !/^[A-Za-z0-9_-]{1,16}$/.test(version)) {
    throw new FieldHashKeySecretError(
      'the hash key secret must hold {"version": "<1-16 letters, digits, - or _>", "key": "<at least 32 characters>"}',
    );
  }
  if (typeof key !== 'string' || key.length < 32) {
    throw new FieldHashKeySecretError(
      `the hash key secret's "key" must be a string of at least 32 characters (version ${version})`,
    );
  }
  return { version, secret: key };
}

/**
 * Whether a source's `redact` rules hash with the deployment's key (`hash` paths and the default
 * `hashAlgorithm`): the stack creates the secret when such a source (or one with `suppression`) is
 * deployed, and the collector reads it only for them.
 */
export const needsFieldHashKey = (
  redact: { readonly hash: readonly string[]; readonly hashAlgorithm?: string } | undefined,
): boolean =>
  redact !== undefined && redact.hash.length > 0 && (redact.hashAlgorithm ?? 'hmac-sha256') === 'hmac-sha256';
