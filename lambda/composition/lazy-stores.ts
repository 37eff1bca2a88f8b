import type { RuntimeConfig } from '../config/runtime-config';
import { type SeenStore, UnconfiguredSeenStore } from '../delivery/seen-store';
import { SuppressionCheck, type SuppressionCheckOptions } from '../delivery/suppression-check';
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
   * @param env the function's environment (`DEDUP_TABLE_NAME`, `SUPPRESSION_TABLE_NAME`, ...)
   * @param suppression how the suppression lookup hashes ids (`key`) and the rest of its options but the list
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly suppression: Omit<SuppressionCheckOptions, 'list'>,
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
   * when no source suppresses.
   */
  suppressionFor(config: RuntimeConfig): SuppressionCheck | undefined {
    if (!config.sources.some((s) => s.suppression?.enabled === true)) return undefined;
    this.suppressionCheck ??= new SuppressionCheck({
      list:
        loadLazyModule('dynamodb-suppression-list').createDynamoDbSuppressionList(this.env) ??
        new UnconfiguredSuppressionList('SUPPRESSION_TABLE_NAME is not set: suppression cannot be checked'),
      ...this.suppression,
    });
    return this.suppressionCheck;
  }
}
