import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { RuntimeConfig } from '../config/runtime-config';
import { FixedHmacKey, type HmacKeySource, SecretHmacKey } from '../delivery/hmac-key';
import { type SeenStore, UnconfiguredSeenStore } from '../delivery/seen-store';
import { SuppressionCheck } from '../delivery/suppression-check';
import { UnconfiguredSuppressionList } from '../delivery/suppression-list';
import { loadLazyModule } from '../lazy/load-lazy-module';

/**
 * The stores and lookups only some configurations need, each built (and its lazy module loaded) by
 * the first configuration that needs it and kept for the container: the seen store of `dedup`, the
 * suppression lookup of `suppression`. A configuration without them loads none of their code.
 */
export class LazyStores {
  private seenStore: SeenStore | undefined;
  private suppressionCheck: SuppressionCheck | undefined;

  /**
   * @param env the function's environment (`DEDUP_TABLE_NAME`, `SUPPRESSION_TABLE_NAME`, `HMAC_KEY_SECRET_ARN`, ...)
   * @param secrets the container's Secrets Manager provider
   * @param secretMaxAgeSeconds how long a fetched HMAC key secret is reused (rotation delay)
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly secrets: () => SecretsProvider,
    private readonly secretMaxAgeSeconds: number,
  ) {}

  /** The seen store of `dedup` (the lazy module `dynamodb-seen-store`), or none when no source dedups. */
  seenStoreFor(config: RuntimeConfig): SeenStore | undefined {
    if (!config.sources.some((s) => s.dedup !== undefined)) return undefined;
    this.seenStore ??=
      loadLazyModule('dynamodb-seen-store').createDynamoDbSeenStore(this.env) ??
      new UnconfiguredSeenStore('DEDUP_TABLE_NAME is not set: events are written without deduplication');
    return this.seenStore;
  }

  /**
   * The suppression lookup of `suppression` (the lazy module `dynamodb-suppression-list`), or none
   * when no source suppresses. The HMAC key: the secret `HMAC_KEY_SECRET_ARN` names, or local
   * mode's fixed dev key when it is not set.
   */
  suppressionFor(config: RuntimeConfig): SuppressionCheck | undefined {
    if (!config.sources.some((s) => s.suppression?.enabled === true)) return undefined;
    const keyArn = this.env.HMAC_KEY_SECRET_ARN || undefined;
    const key: HmacKeySource =
      keyArn === undefined
        ? new FixedHmacKey()
        : new SecretHmacKey(keyArn, (id) => this.secrets().get(id, { maxAge: this.secretMaxAgeSeconds }));
    this.suppressionCheck ??= new SuppressionCheck({
      list:
        loadLazyModule('dynamodb-suppression-list').createDynamoDbSuppressionList(this.env) ??
        new UnconfiguredSuppressionList('SUPPRESSION_TABLE_NAME is not set: suppression cannot be checked'),
      key,
    });
    return this.suppressionCheck;
  }
}
