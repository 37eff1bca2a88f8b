import { type FieldHashKey, keyedHash } from './field-rules';
import { isJsonObject } from './segment-event';

/** Which id of an event a suppression names. */
export type SuppressedIdKind = 'userId' | 'anonymousId';

/** One id as the suppression list stores it: its kind and its keyed hash, never the id itself. */
export interface SuppressedId {
  readonly kind: SuppressedIdKind;
  /** `hmac-sha256:<key version>:<hex>` of the id with the deployment's hash key. */
  readonly hash: string;
}

/**
 * The keyed hash of one id: HMAC-SHA256 with the deployment's hash key (the key of field rules'
 * `hash` too), of the id exactly as sent (no trimming, no case change), in the form of every keyed
 * hash, `hmac-sha256:<key version>:<64 hex digits>`: the version says which key made it, so entries
 * made before a rotation can be told apart ({@link keyVersionOfHash}).
 */
export function hashSuppressedId(key: FieldHashKey, id: string): string {
  return keyedHash(key, id);
}

/**
 * The key version a stored hash was made with, or `undefined` for a hash without one (made before
 * the key had versions): such an entry, like one of an earlier version, matches no id any more.
 */
export function keyVersionOfHash(hash: string): string | undefined {
  const match = /^hmac-sha256:([A-Za-z0-9_-]{1,16}):[0-9a-f]{64}$/.exec(hash);
  return match?.[1];
}

/** A string naming one suppressed id of one source, unambiguous whatever they hold: the list's key. */
export function suppressionKey(sourceId: string, id: SuppressedId): string {
  return JSON.stringify([sourceId, id.kind, id.hash]);
}

/** The non-empty string userId and anonymousId of a message (valid or not), as they would be checked. */
export function idsOfMessage(message: unknown): { kind: SuppressedIdKind; id: string }[] {
  if (!isJsonObject(message)) return [];
  const ids: { kind: SuppressedIdKind; id: string }[] = [];
  for (const kind of ['userId', 'anonymousId'] as const) {
    const value = message[kind];
    if (typeof value === 'string' && value !== '') ids.push({ kind, id: value });
  }
  return ids;
}

/** The name of one id within a request's lookup: kind and id, e.g. `userId:u-42`. */
export const idName = (kind: SuppressedIdKind, id: string): string => `${kind}:${id}`;

/**
 * Whether an event's userId or anonymousId is among `suppressed` (names from {@link idName}, the
 * answer of one batched lookup for the request).
 */
export function isSuppressed(
  event: { readonly userId?: string | null; readonly anonymousId?: string | null },
  suppressed: ReadonlySet<string>,
): boolean {
  if (suppressed.size === 0) return false;
  return (
    (typeof event.userId === 'string' && suppressed.has(idName('userId', event.userId))) ||
    (typeof event.anonymousId === 'string' && suppressed.has(idName('anonymousId', event.anonymousId)))
  );
}
