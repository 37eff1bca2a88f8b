import type { default as Ajv, ErrorObject } from 'ajv';
import { loadLazyModule } from '../lazy/load-lazy-module';
import { type SchemaCompiler, TrackingPlanError, type Violation } from './tracking-plan';

/** A JSON Pointer (`/items/0/sku`) as a dotted path under `root` (`properties.items.0.sku`). */
function dotted(root: string, pointer: string): string {
  if (pointer === '') return root;
  const parts = pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [root, ...parts].filter((part) => part !== '').join('.');
}

/** One of Ajv's errors as a violation whose message names the path and the rule. */
function violationOf(error: ErrorObject, root: string): Violation {
  const at = dotted(root, error.instancePath);
  if (error.keyword === 'required') {
    const path = `${at}.${String(error.params.missingProperty)}`;
    return { path, rule: 'required', message: `${path} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    const path = `${at}.${String(error.params.additionalProperty)}`;
    return { path, rule: 'additionalProperties', message: `${path} is not allowed` };
  }
  return { path: at, rule: error.keyword, message: `${at} ${error.message ?? `fails ${error.keyword}`}` };
}

/**
 * The JSON Schema compiler of tracking plans: Ajv (draft-07 and 2019-09 keywords, every error
 * reported, `format` checked with ajv-formats). Ajv turns each schema into a JavaScript function
 * once, at configuration load, which makes checking an event a plain function call (cost per
 * event: docs/benchmarks.md, section 10). Strict about what would be silently ignored: a schema with an
 * unknown keyword or format, or one that is not a valid JSON Schema, is refused with its path
 * instead of being half-applied.
 *
 * One Ajv instance per compiler: build one per plan, so `$id`s of different plans never collide.
 * Ajv itself is the lazy module `tracking-plan-validator`, loaded by the first compiler: a
 * configuration without tracking plans never loads it.
 */
export function createJsonSchemaCompiler(): SchemaCompiler {
  const { Ajv, addFormats } = loadLazyModule('tracking-plan-validator');
  // Strict about what would silently be ignored (unknown keywords and formats), not about style.
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  return (schema, where) => {
    if (
      typeof schema !== 'boolean' &&
      (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    ) {
      throw new TrackingPlanError(where, `${where} must be a JSON Schema (an object or a boolean)`);
    }
    if (!ajv.validateSchema(schema)) {
      const error = ajv.errors?.[0];
      const path = dotted(where, error?.instancePath ?? '');
      const allowed = error?.params.allowedValues as unknown[] | undefined;
      throw new TrackingPlanError(
        path,
        `${path} ${error?.message ?? 'is not a valid JSON Schema'}${allowed ? ` (${allowed.join(', ')})` : ''}`,
      );
    }
    let validate: ReturnType<Ajv['compile']>;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new TrackingPlanError(where, `${where}: ${(error as Error).message}`, { cause: error });
    }
    return (value, root) => (validate(value) ? [] : (validate.errors ?? []).map((e) => violationOf(e, root)));
  };
}
