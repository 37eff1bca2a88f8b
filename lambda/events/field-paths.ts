import { isJsonObject, type JsonObject } from './segment-event';

/**
 * What the match of path number `tag` does to the value found there: the value that replaces it,
 * or `undefined` to remove it (an array element becomes `null`, so positions stay).
 */
export type FieldChange = (tag: number, value: unknown) => unknown;

type Node = JsonObject | unknown[];

const isNode = (value: unknown): value is Node => isJsonObject(value) || Array.isArray(value);

/** Marks a removed object field in a walk's results (`undefined` can be a kept value). */
const REMOVED: unique symbol = Symbol('removed');

/** Where one path stands in a walk: path number `path`, its segment `segment` next to match. */
interface State {
  readonly path: number;
  readonly segment: number;
}

/**
 * What happens to one value, in order: a number applies that path's change to it, a state set
 * walks into it (when it is an object or an array).
 */
type Step = number | StateSet;

interface Segment {
  readonly text: string;
  readonly wildcard: boolean;
  /** The array index a digits-only segment names (`01` names 1, as `Number` reads it), else -1. */
  readonly index: number;
}

const NO_STEPS: readonly Step[] = [];

/** What each key of a node does under one state set. */
interface StateTables {
  /** The literal keys the states name (never `__proto__`), and their steps by position. */
  readonly keys: readonly string[];
  readonly keySteps: readonly (readonly Step[])[];
  /** The array indices digits-only segments name, and their steps by position. */
  readonly indices: readonly number[];
  readonly indexSteps: readonly (readonly Step[])[];
  /** The steps of any other key (only `*` paths have some). */
  readonly other: readonly Step[];
  /** `other` only walks: a value that is neither an object nor an array is left as it is. */
  readonly otherOnlyWalks: boolean;
}

/**
 * The paths standing at one node of a walk, in rule order (a path can stand there more than once,
 * at different segments), and what each key of the node does: computed on the first node that
 * needs it, then shared by every later node reached the same way.
 */
class StateSet {
  readonly wildcard: boolean;
  private tables?: StateTables;

  constructor(
    private readonly paths: FieldPaths,
    readonly states: readonly State[],
  ) {
    this.wildcard = states.some((state) => paths.segment(state).wildcard);
  }

  /** The steps of each literal key and array index the states name, and of any other key. */
  table() {
    if (this.tables !== undefined) return this.tables;
    const keys = new Set<string>();
    const indices = new Set<number>();
    for (const state of this.states) {
      const segment = this.paths.segment(state);
      if (segment.wildcard) continue;
      if (segment.text !== '__proto__') keys.add(segment.text);
      if (segment.index >= 0) indices.add(segment.index);
    }
    const other = this.wildcard ? this.steps(() => false) : NO_STEPS;
    this.tables = {
      keys: [...keys],
      keySteps: [...keys].map((key) => this.steps((segment) => segment.text === key)),
      indices: [...indices],
      indexSteps: [...indices].map((index) => this.steps((segment) => segment.index === index)),
      other,
      otherOnlyWalks: other.every((step) => typeof step !== 'number'),
    };
    return this.tables;
  }

  /**
   * The steps of a key that literal segments `matches`: per state, in order, a `*` first matches
   * this one key (its rest applies to the child) and then goes on deeper (the whole `*` path
   * again, inside the child); a matching literal segment applies its rest. A path whose last
   * segment matches changes the child itself. Consecutive walks merge into one.
   */
  private steps(matches: (segment: Segment) => boolean): readonly Step[] {
    const steps: Step[] = [];
    let walk: State[] = [];
    const rest = (state: State) => {
      const next = state.segment + 1;
      if (next < this.paths.length(state.path)) walk.push({ path: state.path, segment: next });
      else {
        if (walk.length > 0) steps.push(this.paths.stateSet(walk));
        walk = [];
        steps.push(state.path);
      }
    };
    for (const state of this.states) {
      const segment = this.paths.segment(state);
      if (segment.wildcard) {
        rest(state);
        walk.push(state);
      } else if (matches(segment)) rest(state);
    }
    if (walk.length > 0) steps.push(this.paths.stateSet(walk));
    return steps;
  }
}

/** `value` after `steps`; `REMOVED` when a change removed it from its object. */
function run(steps: readonly Step[], value: unknown, inArray: boolean, change: FieldChange): unknown {
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      const next = change(step, current);
      if (next === undefined && current !== undefined) {
        if (!inArray) return REMOVED;
        current = null;
      } else current = next;
    } else if (isNode(current)) current = walk(current, step, change);
  }
  return current;
}

function walk(node: Node, set: StateSet, change: FieldChange): Node {
  return Array.isArray(node) ? walkArray(node, set, change) : walkObject(node, set, change);
}

const isPrimitive = (value: unknown) => typeof value !== 'object' || value === null;

/** The position of `key` in `keys` (a rule names a few keys: a loop beats `indexOf` here). */
function positionOf<T>(keys: readonly T[], key: T): number {
  for (let at = 0; at < keys.length; at++) if (keys[at] === key) return at;
  return -1;
}

function walkArray(node: unknown[], set: StateSet, change: FieldChange): unknown[] {
  const { indices, indexSteps, other, otherOnlyWalks } = set.table();
  let copy: unknown[] | undefined;
  const count = set.wildcard ? node.length : indices.length;
  for (let at = 0; at < count; at++) {
    const index = set.wildcard ? at : (indices[at] as number);
    if (index >= node.length) continue;
    const child = node[index];
    const literal = set.wildcard ? positionOf(indices, index) : at;
    if (literal === -1 && otherOnlyWalks && isPrimitive(child)) continue;
    const steps = literal === -1 ? other : (indexSteps[literal] as readonly Step[]);
    const changed = run(steps, child, true, change);
    if (changed === child) continue;
    copy ??= node.slice();
    copy[index] = changed;
  }
  return copy ?? node;
}

/** Collects the changed fields of one object: keys and new values (`REMOVED` for a removal). */
interface Changes {
  readonly keys: string[];
  readonly values: unknown[];
  removed: boolean;
}

/** `child`, the value of `key` in `node`, after `steps`; recorded in `changes` when it changed. */
function visit(
  key: string,
  child: unknown,
  steps: readonly Step[],
  changes: Changes | undefined,
  change: FieldChange,
): Changes | undefined {
  const changed = run(steps, child, false, change);
  if (changed === child) return changes;
  const collected = changes ?? { keys: [], values: [], removed: false };
  collected.keys.push(key);
  collected.values.push(changed);
  if (changed === REMOVED) collected.removed = true;
  return collected;
}

function walkObject(node: JsonObject, set: StateSet, change: FieldChange): JsonObject {
  const { keys: literalKeys, keySteps, other, otherOnlyWalks } = set.table();
  let changes: Changes | undefined;
  if (set.wildcard) {
    // for-in: no key array per node. Own keys only: checked past the cheap skip of plain values.
    for (const key in node) {
      const child = node[key];
      const literal = positionOf(literalKeys, key);
      if (literal === -1 && otherOnlyWalks && isPrimitive(child)) continue;
      if (key === '__proto__' || !Object.hasOwn(node, key)) continue;
      const steps = literal === -1 ? other : (keySteps[literal] as readonly Step[]);
      changes = visit(key, child, steps, changes, change);
    }
  } else {
    for (let at = 0; at < literalKeys.length; at++) {
      const key = literalKeys[at] as string;
      if (!Object.hasOwn(node, key)) continue;
      changes = visit(key, node[key], keySteps[at] as readonly Step[], changes, change);
    }
  }
  if (changes === undefined) return node;
  const { keys: changedKeys, values: changedValues } = changes;
  if (!changes.removed) {
    const copy: JsonObject = { ...node };
    for (let at = 0; at < changedKeys.length; at++) {
      copy[changedKeys[at] as string] = changedValues[at] as JsonObject[string];
    }
    return copy;
  }
  // Built without the removed keys rather than `delete`d from a copy: a `delete` turns the copy
  // into a slow dictionary-mode object, and JSON.stringify of every record pays for it.
  const copy: JsonObject = {};
  for (const key of Object.keys(node)) {
    const at = changedKeys.indexOf(key);
    const value = at === -1 ? node[key] : changedValues[at];
    if (value === REMOVED) continue;
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    } else copy[key] = value as JsonObject[string];
  }
  return copy;
}

/**
 * Dotted paths (a `*` segment matches one or more segments at any depth, through objects and
 * arrays; a digits-only segment also names an array index) compiled once, then applied to records
 * in ONE walk that visits only where a path can still match: `*` paths visit every node, literal
 * paths only their own branch.
 *
 * The result is exactly that of applying each path in turn, in the given order, over the whole
 * record (`change` sees the value as the earlier paths left it, a removed field is gone for the
 * later ones). Nothing is mutated: only the objects and arrays on the way to a change are copied,
 * and a record nothing changes comes back as it is. `__proto__` is never walked into nor matched.
 */
export class FieldPaths {
  private readonly segments: readonly (readonly Segment[])[];
  private readonly sets = new Map<string, StateSet>();
  private readonly root: StateSet;

  constructor(paths: readonly string[]) {
    this.segments = paths.map((path) =>
      path.split('.').map((text) => ({
        text,
        wildcard: text === '*',
        index: /^\d+$/.test(text) ? Number(text) : -1,
      })),
    );
    this.root = this.stateSet(paths.map((_, path) => ({ path, segment: 0 })));
  }

  /** `record` with `change` applied at every place each path matches, path by path in order. */
  apply<T extends object>(record: T, change: FieldChange): T {
    if (this.root.states.length === 0) return record;
    return walk(record as unknown as Node, this.root, change) as unknown as T;
  }

  /** @internal */
  segment(state: State): Segment {
    return this.segments[state.path]?.[state.segment] as Segment;
  }

  /** @internal */
  length(path: number): number {
    return this.segments[path]?.length ?? 0;
  }

  /** @internal The one state set of `states` (the same states in the same order share it). */
  stateSet(states: readonly State[]): StateSet {
    const id = states.map((state) => `${state.path}:${state.segment}`).join(',');
    let set = this.sets.get(id);
    if (set === undefined) {
      set = new StateSet(this, states);
      this.sets.set(id, set);
    }
    return set;
  }
}
