import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Prefetch, reuseOr } from '../cold-start/prefetch';
import type { RuntimeConfig } from '../config/runtime-config';
import { SecretsManagerWriteKeys } from '../http/secrets-manager-write-keys';

/**
 * The write-key secret of a container (`WRITE_KEYS_SECRET_ARN`), read through the shared Secrets
 * Manager provider (it caches the value for `maxAgeSeconds`, the rotation delay), or taken from the
 * cold start's prefetch while that is still in flight.
 */
export class WriteKeysReader {
  private prefetch: Prefetch<unknown> | undefined;

  constructor(
    private readonly secretArn: string,
    private readonly secrets: () => SecretsProvider,
    private readonly maxAgeSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** Starts reading the secret now, without awaiting it: the first request takes what it fetched. */
  prefetchNow(onError: (error: unknown) => void): void {
    this.prefetch = new Prefetch(() => this.read(), onError);
  }

  /** The write keys of `config`'s sources, checked against the secret. */
  writeKeysFor(config: RuntimeConfig): SecretsManagerWriteKeys {
    const { logger } = this;
    return new SecretsManagerWriteKeys(
      config.sources,
      () => reuseOr(this.prefetch?.inFlight(), () => this.read()),
      {
        retryAfterSeconds: config.delivery.retryAfterSeconds,
        onUnknownSource: (sourceId) => logger.warn('Write-key secret names an unknown source', { sourceId }),
        onMissingSource: (sourceId) =>
          logger.warn(
            'A source has no write key in the write-key secret: its requests are answered 401 until one is added',
            { sourceId },
          ),
      },
    );
  }

  private read(): Promise<unknown> {
    return this.secrets().get(this.secretArn, { maxAge: this.maxAgeSeconds, transform: 'json' });
  }
}
