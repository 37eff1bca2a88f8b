import fc from 'fast-check';
import { FieldPaths } from '../../../lambda/events/field-paths';
import {
  applyFieldRules,
  type FieldHashKey,
  hashValue,
  isKeyedHash,
  maskValue,
  type RedactionRules,
} from '../../../lambda/events/field-rules';
import { truncateIp } from '../../../lambda/events/pipeline';
import type { JsonObject } from '../../../lambda/events/segment-event';

const key: FieldHashKey = { version: 'v1', secret: 'a test key of the path engine' };

/**
 * The specification the one-walk engine must meet: each path applied in turn over the whole record,
 * by a plain recursion that copies the nodes on its way (the engine of earlier versions).
 */
type Node = JsonObject | unknown[];
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;
const childOf = (node: Node, key: string): unknown =>
  Array.isArray(node)
    ? /^\d+$/.test(key)
      ? node[Number(key)]
      : undefined
    : Object.hasOwn(node, key)
      ? node[key]
      : undefined;
const keysOf = (node: Node): string[] =>
  Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node);
function withChild(node: Node, key: string, value: unknown): Node {
  if (Array.isArray(node)) {
    const copy = [...node];
    copy[Number(key)] = value === undefined ? null : value;
    return copy;
  }
  const copy: JsonObject = { ...node };
  if (value === undefined) delete copy[key];
  else copy[key] = value as JsonObject[string];
  return copy;
}
function referenceUpdate(node: Node, path: readonly string[], change: (value: unknown) => unknown): Node {
  const [head, ...rest] = path;
  if (head === undefined) return node;
  let result = node;
  if (head === '*') {
    for (const key of keysOf(node)) {
      if (key === '__proto__') continue;
      const child = childOf(node, key);
      let changed = child;
      if (rest.length === 0) changed = change(child);
      else if (isNode(child)) changed = referenceUpdate(child, rest, change);
      if (isNode(changed)) changed = referenceUpdate(changed, path, change);
      if (changed !== child) result = withChild(result, key, changed);
    }
    return result;
  }
  if (
    head === '__proto__' ||
    !(Array.isArray(node) ? /^\d+$/.test(head) && Number(head) < node.length : Object.hasOwn(node, head))
  ) {
    return node;
  }
  const child = childOf(node, head);
  let changed: unknown;
  if (rest.length === 0) changed = change(child);
  else if (isNode(child)) changed = referenceUpdate(child, rest, change);
  else return node;
  return changed === child ? node : withChild(node, head, changed);
}
function referenceRules(record: Node, rules: RedactionRules): Node {
  const at = (node: Node, path: string, change: (value: unknown) => unknown) =>
    referenceUpdate(node, path.split('.'), change);
  let result = record;
  if (rules.ip === 'drop') result = at(result, 'context.ip', () => undefined);
  if (rules.ip === 'truncate') {
    result = at(result, 'context.ip', (value) => (typeof value === 'string' ? truncateIp(value) : undefined));
  }
  for (const path of rules.drop) result = at(result, path, () => undefined);
  const algorithm = rules.hashAlgorithm ?? 'hmac-sha256';
  for (const path of rules.hash) {
    result = at(result, path, (value) =>
      value === null || value === undefined || isKeyedHash(value) ? value : hashValue(value, algorithm, key),
    );
  }
  for (const { path, keepStart, keepEnd } of rules.mask ?? []) {
    result = at(result, path, (value) => (value === null ? null : maskValue(value, keepStart, keepEnd)));
  }
  return result;
}

/** The segment names the generated records and paths share, so paths often match. */
const names = ['a', 'email', 'ip', 'context', '0', '1', '01', '__proto__'] as const;
const leaf = fc.oneof(
  fc.constantFrom(' Ann@Example.com', '203.0.113.9', 'x', '', 'a😀b', hashValue('seen', 'hmac-sha256', key)),
  fc.integer({ min: -5, max: 12345 }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: unknown; node: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('node')),
  node: fc.oneof(
    fc.array(tie('tree'), { maxLength: 3 }),
    // Object.fromEntries defines `__proto__` as an own field, as JSON.parse does.
    fc
      .array(fc.tuple(fc.constantFrom(...names), tie('tree')), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries)),
  ),
}));
const record = fc
  .array(fc.tuple(fc.constantFrom(...names), tree), { maxLength: 5 })
  .map((entries) => Object.fromEntries(entries) as JsonObject);
const path = fc
  .array(fc.constantFrom('*', ...names), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('.'));
const paths = fc.array(path, { maxLength: 3 });
const rules: fc.Arbitrary<RedactionRules> = fc.record({
  drop: paths,
  hash: paths,
  mask: fc.array(
    fc.record({ path, keepStart: fc.integer({ min: 0, max: 3 }), keepEnd: fc.integer({ min: 0, max: 3 }) }),
    { maxLength: 2 },
  ),
  // Plain SHA-256 is not idempotent: a value changed twice where once is due would show.
  hashAlgorithm: fc.constantFrom('hmac-sha256' as const, 'sha256' as const),
  ip: fc.constantFrom('keep' as const, 'truncate' as const, 'drop' as const),
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('field rules applied in one walk (FieldPaths)', () => {
  it('gives exactly what applying each rule in turn gives, for any record and rules, and mutates nothing', () => {
    fc.assert(
      fc.property(record, rules, (input, ruleSet) => {
        const frozen = deepFreeze(structuredClone(input));
        const referenceInput = structuredClone(input);
        const expected = referenceRules(referenceInput, ruleSet);
        const actual = applyFieldRules(frozen, ruleSet, key, truncateIp);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        // The old recursion copied a node even where a change left its value as it was: only a
        // result that is the record itself must be, and one with new content must be a copy.
        if (expected === referenceInput) expect(actual).toBe(frozen);
        if (JSON.stringify(expected) !== JSON.stringify(input)) expect(actual).not.toBe(frozen);
      }),
      { numRuns: 600 },
    );
  });

  it('returns the record itself when no path matches, and copies only the objects on the way to a change', () => {
    const untouched = { list: [{ name: 'x' }], other: { deep: { value: 1 } } };
    const input = { ...untouched, context: { traits: { email: 'a@example.com' }, page: { path: '/' } } };
    const paths = new FieldPaths(['*.email']);
    expect(paths.apply(untouched, () => 'changed')).toBe(untouched);
    const output = paths.apply(input, () => 'changed');
    expect(output).toEqual({ ...untouched, context: { traits: { email: 'changed' }, page: { path: '/' } } });
    expect(output.list).toBe(input.list);
    expect(output.other).toBe(input.other);
    expect(output.context.page).toBe(input.context.page);
    expect(input.context.traits.email).toBe('a@example.com');
  });

  it('removes a field from a copy that keeps the other fields in their order', () => {
    const output = new FieldPaths(['properties.email']).apply(
      { properties: { a: 1, email: 'x', b: 2 } },
      () => undefined,
    );
    expect(Object.keys(output.properties)).toEqual(['a', 'b']);
  });

  it('compiles each rules object once: the same rules object gives the same result every time', () => {
    const ruleSet: RedactionRules = {
      drop: ['*.ip'],
      hash: ['*.email'],
      mask: [{ path: 'properties.card', keepEnd: 4 }],
    };
    const input = {
      context: { ip: '203.0.113.9', traits: { email: 'Ann@example.com' } },
      properties: { card: '4111111111111111' },
    };
    const first = applyFieldRules(input, ruleSet, key, truncateIp);
    expect(applyFieldRules(input, ruleSet, key, truncateIp)).toEqual(first);
    expect(first).toEqual({
      context: { traits: { email: hashValue('ann@example.com', 'hmac-sha256', key) } },
      properties: { card: '************1111' },
    });
  });
});

describe('maskValue', () => {
  it('counts characters as code points, as it always did, for any text and kept lengths', () => {
    const reference = (text: string, keepStart: number, keepEnd: number) => {
      const characters = [...text];
      if (keepStart + keepEnd >= characters.length) return '*'.repeat(characters.length);
      const end = keepEnd === 0 ? '' : characters.slice(-keepEnd).join('');
      return `${characters.slice(0, keepStart).join('')}${'*'.repeat(characters.length - keepStart - keepEnd)}${end}`;
    };
    fc.assert(
      fc.property(
        // Pairs and lone halves of surrogates among plain characters.
        fc
          .array(fc.constantFrom('a', '@', '.', 'é', ' ', '😀', '\uD83D', '\uDE00'), { maxLength: 10 })
          .map((characters) => characters.join('')),
        fc.nat(6),
        fc.nat(6),
        (text, keepStart, keepEnd) =>
          maskValue(text, keepStart, keepEnd) === reference(text, keepStart, keepEnd),
      ),
      { numRuns: 500 },
    );
  });
});
