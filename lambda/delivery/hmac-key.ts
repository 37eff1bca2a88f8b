/**
 * The port of the deployment's HMAC key (the key of keyed hashing: suppressed ids, and field rules'
 * `hash`). One port so both read one key: local mode a fixed dev key, deployed a secret.
 */
export interface HmacKeySource {
  /** The key's bytes. Errors (secret unreadable) are thrown: the caller decides what that means. */
  key(): Promise<Uint8Array>;
}

/**
 * The fixed key of local mode and tests. Public, so never a deployment's key: hashes made with it
 * are as reversible as a plain SHA-256.
 */
export const LOCAL_DEV_HMAC_KEY = 'kinesis-event-forwarder local dev HMAC key (not secret)';

/** A key known up front (local mode: {@link LOCAL_DEV_HMAC_KEY}). */
export class FixedHmacKey implements HmacKeySource {
  private readonly bytes: Uint8Array;

  constructor(key: string = LOCAL_DEV_HMAC_KEY) {
    this.bytes = Buffer.from(key, 'utf8');
  }

  key(): Promise<Uint8Array> {
    return Promise.resolve(this.bytes);
  }
}

/**
 * A key kept in a secret: `read` returns the secret's string (Secrets Manager through the caller's
 * cached provider); its UTF-8 bytes are the key. An empty secret is an error, never an empty key.
 */
export class SecretHmacKey implements HmacKeySource {
  constructor(
    private readonly secretId: string,
    private readonly read: (secretId: string) => Promise<unknown>,
  ) {}

  async key(): Promise<Uint8Array> {
    const value = await this.read(this.secretId);
    if (typeof value !== 'string' || value === '') {
      throw new Error(`The HMAC key secret ${this.secretId} has no string value`);
    }
    return Buffer.from(value, 'utf8');
  }
}
