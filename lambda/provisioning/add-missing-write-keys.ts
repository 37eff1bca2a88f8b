import { isJsonObject } from '../events/segment-event';

/** The secret's value cannot be read as `{ "<sourceId>": ... }`: the provisioner refuses to touch it. */
export class UnreadableWriteKeysError extends Error {
  override readonly name = 'UnreadableWriteKeysError';
}

/** What {@link addMissingWriteKeys} decided: the value to store, and the sources that got a key. */
export interface AddedWriteKeys {
  /** The secret's new value; the value given, unchanged, when nothing was added. */
  readonly secretString: string;
  /** The source ids that had no entry and got a generated key, in the order given. */
  readonly added: readonly string[];
}

/**
 * Adds a generated key for each source id that has no entry in the write-keys secret, and never
 * touches an entry that is there (whatever its value: keys rotated in by hand, an empty list an
 * operator left on purpose). Entries of sources not listed stay too: removing a source's keys is an
 * operator's decision. Pure: the key generator is injected.
 */
export function addMissingWriteKeys(
  secretString: string,
  sourceIds: readonly string[],
  generateKey: () => string,
): AddedWriteKeys {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch (cause) {
    throw new UnreadableWriteKeysError(
      'the write-keys secret is not JSON; restore a value like {"<sourceId>": ["<key>"]} and deploy again',
      { cause },
    );
  }
  if (!isJsonObject(value)) {
    throw new UnreadableWriteKeysError(
      'the write-keys secret is not a JSON object; restore a value like {"<sourceId>": ["<key>"]} and deploy again',
    );
  }
  const added = [...new Set(sourceIds)].filter((id) => !Object.hasOwn(value, id));
  if (added.length === 0) return { secretString, added };
  const entries = { ...value, ...Object.fromEntries(added.map((id) => [id, generateKey()])) };
  return { secretString: JSON.stringify(entries), added };
}
