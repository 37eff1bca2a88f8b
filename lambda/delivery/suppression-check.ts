import type { FieldHashKey } from '../events/field-rules';
import { hashSuppressedId, idName, type SuppressedId, type SuppressedIdKind } from '../events/suppression';
import type { HashKeySource } from './hash-key';
import type { SuppressionList } from './suppression-list';

/**
 * How long a container trusts what it last read about an id: the propagation delay of `npm run
 * suppress add|remove` (docs/privacy.md). 60 s.
 */
export const SUPPRESSION_MAX_AGE_MS = 60_000;
/** Ids remembered per container; the oldest are forgotten first (and read again when seen). */
const MAX_CACHED_IDS = 50_000;

export interface SuppressionCheckOptions {
  readonly list: SuppressionList;
  /** The deployment's hash key (the one of field rules' `hash`). */
  readonly key: HashKeySource;
  /** @default {@link SUPPRESSION_MAX_AGE_MS} */
  readonly maxAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told of every failed lookup (key or table unreadable) before it is thrown: the `SuppressionUnavailable` metric. */
  readonly onFailure?: (error: unknown) => void;
}

/**
 * The suppression lookup of one container: hashes a request's ids with the deployment's key and
 * asks the list, in one batched call, only for those it has not read in the last `maxAgeMs` (both
 * answers are cached: an added suppression and a removed one each take effect within `maxAgeMs`).
 * Errors (key or table unreadable) are thrown; nothing is cached from a failed lookup.
 */
export class SuppressionCheck {
  private readonly cache = new Map<string, { readonly suppressed: boolean; readonly readAt: number }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SuppressionCheckOptions) {
    this.maxAgeMs = options.maxAgeMs ?? SUPPRESSION_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The names ({@link idName}) of the suppressed ids among `ids`, for `sourceId`. */
  async suppressedIds(
    sourceId: string,
    ids: readonly { readonly kind: SuppressedIdKind; readonly id: string }[],
  ): Promise<Set<string>> {
    try {
      return await this.lookUp(sourceId, ids);
    } catch (error) {
      this.options.onFailure?.(error);
      throw error;
    }
  }

  private async lookUp(
    sourceId: string,
    ids: readonly { readonly kind: SuppressedIdKind; readonly id: string }[],
  ): Promise<Set<string>> {
    const suppressed = new Set<string>();
    if (ids.length === 0) return suppressed;
    const now = this.now();
    const wanted = new Map<string, SuppressedId>();
    let key: FieldHashKey | undefined;
    for (const { kind, id } of ids) {
      const name = idName(kind, id);
      const cached = this.cache.get(JSON.stringify([sourceId, name]));
      if (cached !== undefined && now - cached.readAt < this.maxAgeMs) {
        if (cached.suppressed) suppressed.add(name);
        continue;
      }
      if (wanted.has(name)) continue;
      key ??= await this.options.key.key();
      wanted.set(name, { kind, hash: hashSuppressedId(key, id) });
    }
    if (wanted.size === 0) return suppressed;
    const names = [...wanted.keys()];
    const answers = await this.options.list.suppressed(sourceId, [...wanted.values()]);
    names.forEach((name, position) => {
      const isSuppressed = answers[position] === true;
      if (isSuppressed) suppressed.add(name);
      this.remember(JSON.stringify([sourceId, name]), { suppressed: isSuppressed, readAt: now });
    });
    return suppressed;
  }

  private remember(cacheKey: string, entry: { readonly suppressed: boolean; readonly readAt: number }): void {
    this.cache.delete(cacheKey);
    if (this.cache.size >= MAX_CACHED_IDS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(cacheKey, entry);
  }
}
