import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/**
 * One CDK synth per topology per jest run, shared by every test file that only reads templates.
 *
 * A test file's first synth costs seconds (jest loads aws-cdk-lib and the stacks into each file's
 * own module registry); reading a template synthesized earlier costs ~0.1 s. The first file asking
 * for a topology (its CDK context) synthesizes it in-process, as `buildTestApp` does, and writes both
 * stacks' templates to the run's cache directory (`SYNTH_CACHE_DIR_ENV`, made by
 * test/support/global-setup.ts and removed after the run); later files, in any worker, read them.
 * Without that directory (a file run outside jest's global setup) each file synthesizes once.
 * Tests that need the `App` or a `Stack` (cdk-nag, annotations, a construct's own props) keep
 * synthesizing themselves.
 */

/** A stack of a synthesized topology: its name and template. */
export interface CachedStack {
  readonly stackName: string;
  readonly template: Template;
}

/** The stacks a topology synthesizes (a side it does not deploy is absent). */
export interface TopologyTemplates {
  readonly stream?: CachedStack;
  readonly collector?: CachedStack;
}

interface StoredStack {
  readonly stackName: string;
  // biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is free-form JSON.
  readonly template: any;
}

interface StoredTopology {
  readonly context: Record<string, string>;
  readonly stream?: StoredStack;
  readonly collector?: StoredStack;
}

const inThisFile = new Map<string, TopologyTemplates>();

/** The cache key of a context: the same keys and values in any order give the same key. */
function keyOf(context: Record<string, string>): string {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 24);
}

/** Synthesizes the topology in this process, as `buildTestApp` (cdk.json's context plus `context`). */
function synthesize(context: Record<string, string>): StoredTopology {
  // Required here, not imported: a file served from the cache never loads lib/ and aws-cdk-lib's stacks.
  const { buildTestApp } = require('../lib/support/test-app') as typeof import('../lib/support/test-app');
  const { streamStack, collectorStack } = buildTestApp(context);
  const stored = (stack: typeof streamStack | typeof collectorStack): StoredStack | undefined =>
    stack === undefined
      ? undefined
      : { stackName: stack.stackName, template: Template.fromStack(stack).toJSON() };
  const stream = stored(streamStack);
  const collector = stored(collectorStack);
  return {
    context,
    ...(stream === undefined ? {} : { stream }),
    ...(collector === undefined ? {} : { collector }),
  };
}

function readStored(file: string): StoredTopology | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StoredTopology;
}

function toTemplates(stored: StoredTopology): TopologyTemplates {
  const cached = (stack: StoredStack | undefined): CachedStack | undefined =>
    stack === undefined
      ? undefined
      : { stackName: stack.stackName, template: Template.fromJSON(stack.template) };
  const stream = cached(stored.stream);
  const collector = cached(stored.collector);
  return { ...(stream === undefined ? {} : { stream }), ...(collector === undefined ? {} : { collector }) };
}

/**
 * The templates of the topology `buildTestApp(context)` builds, synthesized once per run (see the
 * module comment). A context the app refuses throws here, as `buildTestApp` would.
 */
export function topologyTemplates(context: Record<string, string>): TopologyTemplates {
  const key = keyOf(context);
  const known = inThisFile.get(key);
  if (known !== undefined) return known;
  const dir = process.env[SYNTH_CACHE_DIR_ENV];
  const file = dir === undefined ? undefined : join(dir, `${key}.json`);
  let stored = file === undefined ? undefined : readStored(file);
  if (stored === undefined) {
    stored = synthesize(context);
    if (file !== undefined) {
      // Written whole under another name, then renamed: a reader in another worker never sees half a file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, JSON.stringify(stored));
      renameSync(partial, file);
    }
  }
  const templates = toTemplates(stored);
  inThisFile.set(key, templates);
  return templates;
}

/** The stream stack's template of a topology (fails when the topology has no stream stack). */
export function streamTemplate(context: Record<string, string>): Template {
  const stack = topologyTemplates(context).stream;
  if (stack === undefined) throw new Error(`the topology ${JSON.stringify(context)} has no stream stack`);
  return stack.template;
}

/** The collector stack's template of a topology (fails when the topology has no collector stack). */
export function collectorTemplate(context: Record<string, string>): Template {
  const stack = topologyTemplates(context).collector;
  if (stack === undefined) throw new Error(`the topology ${JSON.stringify(context)} has no collector stack`);
  return stack.template;
}
