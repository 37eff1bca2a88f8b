import type { RuntimeSource } from '../config/runtime-config';
import { GENERATED_WRITE_KEY_ENTRY } from '../contract/write-keys-secret';
import { isJsonObject } from '../events/segment-event';
import { HttpError } from './http-error';
import { WriteKeyRegistry } from './write-key';
import type { WriteKeyDirectory } from './write-key-directory';

/** The write-key secret cannot be read: our fault, so 503 and the SDK sends the events again. */
export class WriteKeysUnavailableError extends HttpError {
  override readonly name = 'WriteKeysUnavailableError';
  constructor(cause: unknown, retryAfterSeconds: number) {
    super(503, 'Write keys cannot be checked right now; send the request again', {
      cause,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/**
 * Write keys kept in a secret (Secrets Manager) whose value is JSON mapping source ids to keys:
 * `{ "<sourceId>": ["<key>", ...] }` or `{ "<sourceId>": "<key>" }`. `fetchSecret` is expected to
 * cache with a TTL (Powertools Parameters does), so rotated keys take effect without a cold start;
 * the lookup table is rebuilt only when the fetched value changes. Keys written in the
 * configuration document, if any, stay valid too. Entries of sources the configuration does not
 * have are ignored and reported, except the entry CloudFormation generates when it creates the
 * secret (`GENERATED_WRITE_KEY_ENTRY`), which names no source on stacks without one of that id.
 */
export class SecretsManagerWriteKeys implements WriteKeyDirectory {
  private lastValue: unknown;
  private registry = new WriteKeyRegistry<RuntimeSource>([]);

  constructor(
    private readonly sources: readonly RuntimeSource[],
    private readonly fetchSecret: () => Promise<unknown>,
    private readonly options: {
      readonly retryAfterSeconds: number;
      readonly onUnknownSource?: (id: string) => void;
      /**
       * A source of the configuration has no key at all (no entry in the secret, none in the
       * document): every request with its keys is answered 401 until an operator adds one.
       * Reported once per secret value read.
       */
      readonly onMissingSource?: (id: string) => void;
    },
  ) {}

  async sourceOf(writeKey: string): Promise<RuntimeSource | undefined> {
    let value: unknown;
    try {
      value = await this.fetchSecret();
    } catch (error) {
      throw new WriteKeysUnavailableError(error, this.options.retryAfterSeconds);
    }
    if (value !== this.lastValue) {
      this.registry = new WriteKeyRegistry(this.entries(value));
      this.lastValue = value;
    }
    return this.registry.ownerOf(writeKey);
  }

  private entries(value: unknown): [string, RuntimeSource][] {
    if (!isJsonObject(value)) {
      throw new WriteKeysUnavailableError(
        new TypeError('the write-key secret must be a JSON object mapping source ids to keys'),
        this.options.retryAfterSeconds,
      );
    }
    const byId = new Map(this.sources.map((source) => [source.id, source]));
    const entries: [string, RuntimeSource][] = this.sources.flatMap((source) =>
      (source.writeKeys ?? []).map((key): [string, RuntimeSource] => [key, source]),
    );
    for (const [sourceId, keys] of Object.entries(value)) {
      const source = byId.get(sourceId);
      if (source === undefined) {
        if (sourceId !== GENERATED_WRITE_KEY_ENTRY) this.options.onUnknownSource?.(sourceId);
        continue;
      }
      for (const key of Array.isArray(keys) ? keys : [keys]) {
        if (typeof key === 'string' && key !== '') entries.push([key, source]);
      }
    }
    const keyed = new Set(entries.map(([, source]) => source.id));
    for (const source of this.sources) {
      if (!keyed.has(source.id)) this.options.onMissingSource?.(source.id);
    }
    return entries;
  }
}
