import { createHmac } from 'node:crypto';
import { isJsonObject } from './segment-event';

/** Which id of an event a suppression names. */
export type SuppressedIdKind = 'userId' | 'anonymousId';

/** One id as the suppression list stores it: its kind and its keyed hash, never the id itself. */
export interface SuppressedId {
  readonly kind: SuppressedIdKind;
  /** `hmac-sha256:<hex>` of the id with the deployment's HMAC key. */
  readonly hash: string;
}

/** The prefix of a keyed hash, so a reader knows it is an HMAC and not a plain (reversible) SHA-256. */
export const SUPPRESSION_HASH_PREFIX = 'hmac-sha256:';

/** The keyed hash of one id: HMAC-SHA256 with `key`, the id exactly as sent (no trimming, no case change). */
export function hashSuppressedId(key: Uint8Array, id: string): string {
  return `${SUPPRESSION_HASH_PREFIX}${createHmac('sha256', key).update(id, 'utf8').digest('hex')}`;
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
