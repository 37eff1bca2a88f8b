import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** A parameter's value as last read, and until when it is reused. */
interface Cached {
  readonly value: string;
  readonly expiresAt: number;
}

export interface SsmParameterReaderOptions {
  /** @default a client from the function's environment (region, credentials, `AWS_ENDPOINT_URL_SSM`) */
  readonly client?: () => SSMClient;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Reads SSM parameters (String or SecureString, decrypted) with a per-name TTL cache; the one SSM adapter
 * of the collector. Only `GetParameter` is imported, by name, so the bundler keeps that one command
 * (~80 KB, where the Powertools SSM provider carried ~170 KB). The collector loads this reader as
 * the lazy module `ssm-parameter-reader` (lambda/contract/lazy-modules.ts), on the first read: a
 * collector configured any other way never loads the SSM client.
 */
export class SsmParameterReader {
  private client: SSMClient | undefined;
  private readonly cache = new Map<string, Cached>();
  private readonly newClient: () => SSMClient;
  private readonly clock: () => number;

  constructor(options: SsmParameterReaderOptions = {}) {
    this.newClient = options.client ?? (() => new SSMClient({}));
    this.clock = options.clock ?? Date.now;
  }

  /** The parameter's value, read again once it is older than `maxAgeSeconds`. */
  async get(name: string, maxAgeSeconds: number): Promise<string> {
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.expiresAt > this.clock()) return cached.value;
    this.client ??= this.newClient();
    const answer = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = answer.Parameter?.Value;
    if (value === undefined) throw new Error(`SSM parameter ${name} has no value`);
    this.cache.set(name, { value, expiresAt: this.clock() + maxAgeSeconds * 1000 });
    return value;
  }
}
