import { createHash } from 'node:crypto';

const digest = (key: string): string => createHash('sha256').update(key, 'utf8').digest('base64');

/**
 * Finds the owner of a write key without comparing key characters: keys are looked up by their
 * SHA-256, so lookup time does not reveal how much of a guessed key was right.
 */
export class WriteKeyRegistry<Owner> {
  private readonly owners = new Map<string, Owner>();

  constructor(entries: Iterable<readonly [writeKey: string, owner: Owner]>) {
    for (const [key, owner] of entries) this.owners.set(digest(key), owner);
  }

  ownerOf(writeKey: string): Owner | undefined {
    return this.owners.get(digest(writeKey));
  }
}

/**
 * The write key in `Authorization: Basic base64(writeKey + ":")`, as Segment and RudderStack SDKs
 * send it. Returns `undefined` when the header is absent or not Basic.
 */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  const key = colon === -1 ? credentials : credentials.slice(0, colon);
  return key === '' ? undefined : key;
}

/**
 * Why an `Authorization: Basic ...` header gave no write key, for the 401 of a request that carries
 * none elsewhere either: its value is not base64, or it decodes to an empty key. `undefined` when
 * there is no such header (or another scheme, which the collector does not read). Never quotes the
 * header: it may hold a real key, mangled.
 */
export function authorizationProblem(header: string | undefined): string | undefined {
  const match = /^\s*basic(?:\s+(.*?))?\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const value = match[1] ?? '';
  const how = 'send Authorization: Basic base64("<writeKey>:"): the write key and a colon, base64-encoded';
  if (value === '') return `Authorization: Basic carries no credentials; ${how}`;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    return `Authorization: Basic is not followed by base64 of "<writeKey>:" (it holds characters base64 does not use); ${how}`;
  }
  return `Authorization: Basic holds an empty write key (base64 of ":"); ${how}`;
}

/**
 * Whether a body may carry a `writeKey` field, decided without decoding or parsing it: `false` only
 * for a plain-text body that spells neither `writeKey` nor any `\u` escape (JSON could spell the
 * name `\u0077riteKey`). Lets a request with no key anywhere be refused before the collector spends
 * a JSON parse of up to the request limit on it; compressed and base64 bodies must be decoded to tell.
 */
export function bodyMayHoldWriteKey(body: {
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly contentEncoding?: string;
}): boolean {
  const encoding = body.contentEncoding?.trim().toLowerCase() || 'identity';
  if (body.isBase64Encoded || encoding !== 'identity') return true;
  const text = body.body ?? '';
  return text.includes('writeKey') || text.includes('\\u');
}
