import { fieldHashKeyOf } from '../contract/field-hash-key-secret';
import { type FieldHashKey, LOCAL_DEV_HASH_KEY } from '../events/field-rules';

/**
 * The port of the deployment's hash key: the one key of keyed hashing, for field rules' `hash` and for
 * suppressed ids alike (docs/privacy.md, the hash key). One port, so both read one key with one
 * version: local mode a fixed dev key, deployed a secret read once per container.
 */
export interface HashKeySource {
  /** The key and its version. Errors (secret unreadable or malformed) are thrown: the caller decides what that means. */
  key(): Promise<FieldHashKey>;
}

/**
 * A key known up front: local mode's {@link LOCAL_DEV_HASH_KEY} (version `dev`) by default. Public,
 * so never a deployment's key: hashes made with it are as reversible as a plain SHA-256.
 */
export class FixedHashKey implements HashKeySource {
  constructor(private readonly fixed: FieldHashKey = LOCAL_DEV_HASH_KEY) {}

  key(): Promise<FieldHashKey> {
    return Promise.resolve(this.fixed);
  }
}

/**
 * The key kept in the hash key secret, `{ "version": "v1", "key": "..." }`
 * (lib/constructs/field-hash-key-secret.ts): `read` returns the secret's value parsed from JSON (the
 * caller's Secrets Manager client or cached provider). Read once, by the first caller, and kept for
 * the life of the container (a rotation reaches a container when it starts); a failed read is not
 * kept, so the next caller reads again.
 */
export class SecretHashKey implements HashKeySource {
  private pending: Promise<FieldHashKey> | undefined;

  constructor(
    private readonly secretId: string,
    private readonly read: (secretId: string) => Promise<unknown>,
  ) {}

  key(): Promise<FieldHashKey> {
    if (this.pending !== undefined) return this.pending;
    const pending = this.read(this.secretId).then(fieldHashKeyOf);
    this.pending = pending;
    pending.catch(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    return pending;
  }
}

/** No key to be had (a Lambda function without `FIELD_HASH_KEY_SECRET_ARN`): every read fails with `reason`. */
export class UnavailableHashKey implements HashKeySource {
  constructor(private readonly reason: string) {}

  key(): Promise<FieldHashKey> {
    return Promise.reject(new Error(this.reason));
  }
}
