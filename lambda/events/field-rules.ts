import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { needsFieldHashKey } from '../contract/field-hash-key-secret';
import { FieldPaths } from './field-paths';
import { KeyedHashMemo } from './keyed-hash-memo';

/**
 * The deployment's key for keyed hashing (HMAC-SHA256) of `redact.hash` fields. `version` goes into
 * every hash it makes (`hmac-sha256:<version>:<hex>`), so a consumer knows which key made a value and
 * that a rotation happened (equal values hash equally only within one key). docs/privacy.md.
 */
export interface FieldHashKey {
  /** Short label of the key, e.g. `v1`: letters, digits, `-` and `_`. */
  readonly version: string;
  /** The secret itself; never written anywhere an event goes. */
  readonly secret: string | Uint8Array;
}

/**
 * The fixed key of local mode (docs/privacy.md): public, so its hashes are as reversible as a plain
 * SHA-256. Deployed collectors use the key the stack keeps in Secrets Manager.
 */
export const LOCAL_DEV_HASH_KEY: FieldHashKey = {
  version: 'dev',
  secret: 'kinesis-event-forwarder local-mode key: not secret, never use it deployed',
};

/** The prefix of every keyed hash: `hmac-sha256:<key version>:<64 hex digits>`. */
export const KEYED_HASH_PREFIX = 'hmac-sha256:';

/** A field kept only in part: `keepStart` characters at the start and `keepEnd` at the end, the rest `*`. */
export interface MaskRule {
  readonly path: string;
  /** @default 0 */
  readonly keepStart?: number;
  /** @default 0 */
  readonly keepEnd?: number;
}

/**
 * Field rules of a source (or a destination): paths are dotted, and a `*` segment matches one or
 * more segments at any depth, through objects and arrays (`*.email` covers `traits.email`,
 * `context.traits.email`, `properties.user.email`, `properties.products.0.email`).
 */
export interface RedactionRules {
  /** Fields removed, e.g. `context.ip`. */
  readonly drop: readonly string[];
  /** Fields replaced by their hash (normalised first: `normaliseForHash`). */
  readonly hash: readonly string[];
  /** Fields kept only in part. @default [] */
  readonly mask?: readonly MaskRule[];
  /**
   * `hmac-sha256`: keyed with the deployment's key, `hmac-sha256:<version>:<hex>`. `sha256`: the plain
   * hex SHA-256 of earlier versions, for joins with data hashed before; reversible by anyone who
   * hashes a list of candidate values (docs/privacy.md).
   * @default 'hmac-sha256'
   */
  readonly hashAlgorithm?: HashAlgorithm;
  /**
   * What becomes of `context.ip`: kept, truncated (IPv4's last octet and IPv6's last 80 bits
   * zeroed), or dropped. A value that is not an IP address is dropped by `truncate`.
   * @default 'keep'
   */
  readonly ip?: IpHandling;
  /**
   * Keep, in the failed-events stream, the body of a request that cannot be parsed (so no rule can
   * be applied to it). Without it such a body is dropped, and its failure record says so.
   * @default false
   */
  readonly keepUnparseableBody?: boolean;
}

/** How `redact.hash` hashes. */
export type HashAlgorithm = 'hmac-sha256' | 'sha256';

/** What a source's pipeline does with `context.ip`. */
export type IpHandling = 'keep' | 'truncate' | 'drop';

/** A keyed hash rule applied without a key: a wiring fault of the collector, never of the event. */
export class HashKeyMissingError extends Error {
  override readonly name = 'HashKeyMissingError';
  readonly statusCode = 500;
  readonly expose = false;
  constructor() {
    super('redact.hash needs the deployment hash key (FieldHashKey), and none was given');
  }
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;

/**
 * The form a value is hashed in: strings trimmed, and lower-cased when they look like an email
 * address (so ` Ann@Example.com` and `ann@example.com` hash equally); other values as their JSON.
 */
export function normaliseForHash(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const trimmed = value.trim();
  return EMAIL_LIKE.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

const KEYED_HASH = /^hmac-sha256:[A-Za-z0-9_-]+:[0-9a-f]{64}$/;

/** `true` for a value a keyed hash rule made: hashing it again would change nothing it protects. */
export const isKeyedHash = (value: unknown): boolean =>
  typeof value === 'string' && value.startsWith(KEYED_HASH_PREFIX) && KEYED_HASH.test(value);

/** Each key's secret as a `KeyObject`, made once: HMAC setup from a string key costs more than the hash. */
const keyObjects = new WeakMap<FieldHashKey, KeyObject>();

/**
 * Each key's memo of the hashes it made lately (`KeyedHashMemo`: bounded, in memory only): one per
 * key object, so two keys never share an entry, and a key no longer used takes its memo with it.
 */
const memos = new WeakMap<FieldHashKey, KeyedHashMemo>();

function hmacOf(key: FieldHashKey, text: string): string {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = createSecretKey(
      typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : key.secret,
    );
    keyObjects.set(key, keyObject);
  }
  return `${KEYED_HASH_PREFIX}${key.version}:${createHmac('sha256', keyObject).update(text, 'utf8').digest('hex')}`;
}

/**
 * `hmac-sha256:<key version>:<hex>` of `text` (UTF-8) with `key`: the one form of every keyed hash,
 * field rules' and suppressed ids' alike. A text hashed lately with the same key object is answered
 * from that key's memo (at most {@link KeyedHashMemo.DEFAULT_CAPACITY} entries per key).
 */
export function keyedHash(key: FieldHashKey, text: string): string {
  let memo = memos.get(key);
  if (memo === undefined) {
    memo = new KeyedHashMemo((fresh) => hmacOf(key, fresh));
    memos.set(key, memo);
  }
  return memo.hashOf(text);
}

/** How many keyed hashes of `key` the container holds in memory now (its memo's size). */
export const keyedHashesHeld = (key: FieldHashKey): number => memos.get(key)?.size ?? 0;

/** The keyed (or, with `sha256`, plain) hash of `value`, after `normaliseForHash`. */
export function hashValue(value: unknown, algorithm: HashAlgorithm, key: FieldHashKey | undefined): string {
  const text = normaliseForHash(value);
  if (algorithm === 'sha256') return createHash('sha256').update(text).digest('hex');
  if (key === undefined) throw new HashKeyMissingError();
  return keyedHash(key, text);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** `value` with all but `keepStart` leading and `keepEnd` trailing characters replaced by `*`. */
export function maskValue(value: unknown, keepStart = 0, keepEnd = 0): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value);
  // Characters are code points: without surrogates (nearly every value) they are the UTF-16 units.
  if (
    !SURROGATE.test(text) &&
    Number.isInteger(keepStart) &&
    Number.isInteger(keepEnd) &&
    keepStart >= 0 &&
    keepEnd >= 0
  ) {
    const length = text.length;
    if (keepStart + keepEnd >= length) return '*'.repeat(length);
    return `${text.slice(0, keepStart)}${'*'.repeat(length - keepStart - keepEnd)}${text.slice(length - keepEnd)}`;
  }
  const characters = [...text];
  if (keepStart + keepEnd >= characters.length) return '*'.repeat(characters.length);
  const start = characters.slice(0, keepStart).join('');
  const end = keepEnd === 0 ? '' : characters.slice(-keepEnd).join('');
  return `${start}${'*'.repeat(characters.length - keepStart - keepEnd)}${end}`;
}

/** `true` when `rules` change nothing at all (no field rule and the IP kept). */
export const hasNoFieldRules = (rules: RedactionRules | undefined): boolean =>
  rules === undefined ||
  (rules.drop.length === 0 &&
    rules.hash.length === 0 &&
    (rules.mask ?? []).length === 0 &&
    (rules.ip ?? 'keep') === 'keep');

/** `true` when `rules` hash with the deployment's key (and so need it). */
export const needsHashKey = (rules: RedactionRules | undefined): boolean => needsFieldHashKey(rules);

/** What a compiled rule does where its path matches. */
type RuleAction =
  | { readonly kind: 'remove' }
  | { readonly kind: 'truncate-ip' }
  | { readonly kind: 'hash' }
  | { readonly kind: 'mask'; readonly keepStart?: number; readonly keepEnd?: number };

interface CompiledRules {
  readonly paths: FieldPaths;
  /** By path number of `paths`. */
  readonly actions: readonly RuleAction[];
  readonly algorithm: HashAlgorithm;
}

/**
 * Each rules object compiled the first time it is used (rules come from the parsed config, which
 * lives as long, and are never changed: a rules object changed after its first use would keep
 * applying what it said then).
 */
const compiledRules = new WeakMap<RedactionRules, CompiledRules>();

function compile(rules: RedactionRules): CompiledRules {
  let compiled = compiledRules.get(rules);
  if (compiled !== undefined) return compiled;
  const paths: string[] = [];
  const actions: RuleAction[] = [];
  const add = (path: string, action: RuleAction) => {
    paths.push(path);
    actions.push(action);
  };
  if (rules.ip === 'drop') add('context.ip', { kind: 'remove' });
  if (rules.ip === 'truncate') add('context.ip', { kind: 'truncate-ip' });
  for (const path of rules.drop) add(path, { kind: 'remove' });
  for (const path of rules.hash) add(path, { kind: 'hash' });
  for (const { path, keepStart, keepEnd } of rules.mask ?? [])
    add(path, { kind: 'mask', keepStart, keepEnd });
  compiled = { paths: new FieldPaths(paths), actions, algorithm: rules.hashAlgorithm ?? 'hmac-sha256' };
  compiledRules.set(rules, compiled);
  return compiled;
}

/**
 * `record` (an envelope, a Segment message, a failure record's payload) with `rules` applied, in this
 * order: IP handling, drop, hash, mask. Nothing is mutated. A value a keyed hash already made is left
 * as it is, so applying the same rules twice (replay) changes nothing.
 *
 * The rules are compiled once per rules object and applied in one walk of the record that copies
 * only what changes, with the same result as applying each rule in turn (`FieldPaths`); keyed
 * hashes repeat from a bounded memo (`KeyedHashMemo`). Cost: bench section 12.
 */
export function applyFieldRules<T extends object>(
  record: T,
  rules: RedactionRules | undefined,
  key: FieldHashKey | undefined,
  truncateIp: (address: string) => string | undefined,
): T {
  if (rules === undefined) return record;
  const { paths, actions, algorithm } = compile(rules);
  return paths.apply(record, (tag, value) => {
    const action = actions[tag] as RuleAction;
    switch (action.kind) {
      case 'remove':
        return undefined;
      case 'truncate-ip':
        return typeof value === 'string' ? truncateIp(value) : undefined;
      case 'hash':
        return value === null || value === undefined || isKeyedHash(value)
          ? value
          : hashValue(value, algorithm, key);
      case 'mask':
        return value === null ? null : maskValue(value, action.keepStart, action.keepEnd);
    }
  });
}

/** Whether the dotted `path` (e.g. a tracking-plan violation's `traits.email`) is one `rulePath` matches. */
export function pathMatches(rulePath: string, path: string): boolean {
  const match = (rule: readonly string[], at: readonly string[]): boolean => {
    const [head, ...rest] = rule;
    if (head === undefined) return at.length === 0;
    if (at.length === 0) return false;
    if (head === '*') return match(rest, at.slice(1)) || match(rule, at.slice(1));
    return head === at[0] && match(rest, at.slice(1));
  };
  return match(rulePath.split('.'), path.split('.'));
}

/** Whether `rules` change (drop, hash, mask) the field at `path`, or one of its parents. */
export function rulesChange(rules: RedactionRules, path: string): boolean {
  const segments = path.split('.');
  const paths = [...rules.drop, ...rules.hash, ...(rules.mask ?? []).map((rule) => rule.path)];
  return segments.some((_, end) =>
    paths.some((rulePath) => pathMatches(rulePath, segments.slice(0, end + 1).join('.'))),
  );
}
