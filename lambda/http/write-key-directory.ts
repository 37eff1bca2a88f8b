import type { RuntimeSource } from '../config/runtime-config';
import { WriteKeyRegistry } from './write-key';

/** Who owns a write key. Async: keys may live in a secret that is fetched and cached. */
export interface WriteKeyDirectory {
  /** The source the key belongs to, or `undefined` for an unknown key. */
  sourceOf(writeKey: string): Promise<RuntimeSource | undefined>;
}

/** Write keys written in the configuration document itself (local mode, tests). */
export class ConfiguredWriteKeys implements WriteKeyDirectory {
  private readonly registry: WriteKeyRegistry<RuntimeSource>;

  constructor(sources: readonly RuntimeSource[]) {
    this.registry = new WriteKeyRegistry(
      sources.flatMap((source) => (source.writeKeys ?? []).map((key) => [key, source] as const)),
    );
  }

  async sourceOf(writeKey: string): Promise<RuntimeSource | undefined> {
    return this.registry.ownerOf(writeKey);
  }
}
