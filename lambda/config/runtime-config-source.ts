import { jsonErrorMessage, sanitisedJsonError } from '../observability/json-error-message';
import {
  InvalidConfigError,
  parseRuntimeConfig,
  type RuntimeConfig,
  readRuntimeConfig,
} from './runtime-config';

/** Where a remote configuration document is read; both are expected to cache for `maxAgeSeconds`. */
export interface ConfigDocumentStores {
  /** An SSM parameter's value (String or SecureString). */
  parameter(name: string, maxAgeSeconds: number): Promise<unknown>;
  /** A Secrets Manager secret's string value. */
  secret(secretId: string, maxAgeSeconds: number): Promise<unknown>;
}

/** What the source reports while it keeps the last good configuration. */
export interface ConfigSourceEvents {
  /** A newer document is invalid (reported once per distinct document). */
  onInvalid?(error: InvalidConfigError): void;
  /** The store cannot be read; the last good document stays in use. */
  onUnavailable?(error: unknown): void;
}

/** The configuration as of now: the same object as long as the document has not changed. */
export interface RuntimeConfigSource {
  /** Where the document comes from, for logs: `SSM parameter /name`, `COLLECTOR_CONFIG`, ... */
  readonly origin: string;
  /**
   * The configuration when it is fixed for the container's life and known without I/O
   * (`COLLECTOR_CONFIG`, `COLLECTOR_CONFIG_FILE`): what the collector can build at cold start.
   * Undefined for a document read from a store.
   */
  readonly fixed?: RuntimeConfig;
  current(): Promise<RuntimeConfig>;
}

/** The store cannot be read and no configuration was ever loaded: nothing can be served yet. */
export class ConfigUnavailableError extends Error {
  override readonly name = 'ConfigUnavailableError';
}

/** Seconds a fetched document is reused before the store is read again. */
export const DEFAULT_CONFIG_MAX_AGE_SECONDS = 300;

function maxAgeOf(env: NodeJS.ProcessEnv): number {
  const raw = env.COLLECTOR_CONFIG_MAX_AGE_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_CONFIG_MAX_AGE_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new InvalidConfigError(
      `COLLECTOR_CONFIG_MAX_AGE_SECONDS=${raw} is not valid: use a whole number of seconds from 1 to 86400`,
    );
  }
  return value;
}

/** A document read from a store with a TTL cache, validated again whenever its text changes. */
class RemoteConfigSource implements RuntimeConfigSource {
  private lastDocument: unknown;
  private lastConfig: RuntimeConfig | undefined;
  private lastRejected: unknown;

  constructor(
    readonly origin: string,
    private readonly fetch: () => Promise<unknown>,
    private readonly writeKeysFromSecret: boolean,
    private readonly events: ConfigSourceEvents,
  ) {}

  async current(): Promise<RuntimeConfig> {
    let document: unknown;
    try {
      document = await this.fetch();
    } catch (error) {
      if (this.lastConfig === undefined) {
        throw new ConfigUnavailableError(`Cannot read the collector configuration from ${this.origin}`, {
          cause: error,
        });
      }
      this.events.onUnavailable?.(error);
      return this.lastConfig;
    }
    if (this.lastConfig !== undefined && document === this.lastDocument) return this.lastConfig;
    if (this.lastConfig !== undefined && document === this.lastRejected) return this.lastConfig;
    try {
      const config = parseRuntimeConfig(this.parse(document), this.origin, {
        writeKeysFromSecret: this.writeKeysFromSecret,
      });
      this.lastDocument = document;
      this.lastConfig = config;
      return config;
    } catch (error) {
      if (this.lastConfig === undefined || !(error instanceof InvalidConfigError)) throw error;
      this.lastRejected = document;
      this.events.onInvalid?.(error);
      return this.lastConfig;
    }
  }

  private parse(document: unknown): unknown {
    if (typeof document !== 'string') return document;
    try {
      return JSON.parse(document);
    } catch (error) {
      // V8's message quotes the document, and the document holds write keys: never log it.
      throw new InvalidConfigError(
        `Invalid collector configuration in ${this.origin}: not JSON (${jsonErrorMessage(error)})`,
        { cause: sanitisedJsonError(error) },
      );
    }
  }
}

/**
 * The collector's configuration source, chosen by the environment (read once, at cold start):
 * - `COLLECTOR_CONFIG_PARAMETER` (an SSM parameter name) or `COLLECTOR_CONFIG_SECRET_ARN` (a Secrets
 *   Manager secret): the document is fetched on first use, re-read at most every
 *   `COLLECTOR_CONFIG_MAX_AGE_SECONDS` (default 300), and validated each time its text changes. A
 *   later invalid or unreadable document is reported and the last good one stays in use; the first
 *   one must be valid.
 * - otherwise `COLLECTOR_CONFIG` (the JSON itself) or `COLLECTOR_CONFIG_FILE` (a path, as in local
 *   mode): validated here, at once, and fixed for the container's life.
 */
export function runtimeConfigSource(
  env: NodeJS.ProcessEnv,
  stores: ConfigDocumentStores,
  events: ConfigSourceEvents = {},
): RuntimeConfigSource {
  const parameter = env.COLLECTOR_CONFIG_PARAMETER || undefined;
  const secret = env.COLLECTOR_CONFIG_SECRET_ARN || undefined;
  const writeKeysFromSecret = Boolean(env.WRITE_KEYS_SECRET_ARN);
  const set = [
    ['COLLECTOR_CONFIG_PARAMETER', parameter],
    ['COLLECTOR_CONFIG_SECRET_ARN', secret],
    ['COLLECTOR_CONFIG', env.COLLECTOR_CONFIG || undefined],
    ['COLLECTOR_CONFIG_FILE', env.COLLECTOR_CONFIG_FILE || undefined],
  ].filter(([, value]) => value !== undefined);
  if ((parameter !== undefined || secret !== undefined) && set.length > 1) {
    throw new InvalidConfigError(
      `Set one configuration source, not ${set.map(([name]) => name).join(' and ')}: unset all but one`,
    );
  }
  if (parameter !== undefined || secret !== undefined) {
    const maxAge = maxAgeOf(env);
    return parameter !== undefined
      ? new RemoteConfigSource(
          `SSM parameter ${parameter}`,
          () => stores.parameter(parameter, maxAge),
          writeKeysFromSecret,
          events,
        )
      : new RemoteConfigSource(
          `secret ${secret}`,
          () => stores.secret(secret as string, maxAge),
          writeKeysFromSecret,
          events,
        );
  }
  const config = readRuntimeConfig(env);
  return {
    origin: env.COLLECTOR_CONFIG ? 'COLLECTOR_CONFIG' : `file ${env.COLLECTOR_CONFIG_FILE}`,
    fixed: config,
    current: async () => config,
  };
}
