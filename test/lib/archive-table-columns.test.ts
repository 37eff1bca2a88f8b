import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ArchiveColumn,
  ENVELOPE_COLUMNS,
  FAILURE_RECORD_COLUMNS,
} from '../../lib/constructs/archive-table-columns';

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
}

const schemaOf = (file: string): JsonSchema =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', file), 'utf8')) as JsonSchema;

/** The JSON types a property may hold, `null` left out (every Athena column is nullable). */
function jsonTypes(schema: JsonSchema): string[] {
  if (schema.type !== undefined) {
    return (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((type) => type !== 'null');
  }
  const values = schema.enum ?? (schema.const === undefined ? [] : [schema.const]);
  return [...new Set(values.filter((value) => value !== null).map((value) => typeof value))];
}

/**
 * The Athena type a property must have in the archive tables (archive-table-columns.ts explains the
 * rule): scalars map one to one; a free-form object or an array is JSON text (`string`); an object
 * whose keys the schema lists completely may be a `struct` of exactly those keys, each typed by the
 * same rule. A property without a type (any JSON) is JSON text.
 */
function expectedTypes(schema: JsonSchema): string[] {
  const types = jsonTypes(schema);
  if (types.length === 0) return ['string'];
  if (types.length > 1) return ['string'];
  switch (types[0]) {
    case 'string':
      return ['string'];
    case 'integer':
      return ['bigint'];
    case 'number':
      return ['double'];
    case 'boolean':
      return ['boolean'];
    case 'array':
      return ['string'];
    case 'object': {
      const fields = Object.entries(schema.properties ?? {});
      if (fields.length === 0) return ['string'];
      const struct = fields
        .map(([name, field]) => `${name.toLowerCase()}:${expectedTypes(field)[0] ?? 'string'}`)
        .join(',');
      return ['string', `struct<${struct}>`];
    }
    default:
      throw new Error(`no Athena type for JSON type ${types[0]}`);
  }
}

describe.each([
  ['events', 'envelope.schema.json', ENVELOPE_COLUMNS],
  ['failed_events', 'failure-record.schema.json', FAILURE_RECORD_COLUMNS],
] as const)('the archive table %s', (_table, file, columns: readonly ArchiveColumn[]) => {
  const properties = schemaOf(file).properties ?? {};

  it(`has one column per top-level property of docs/${file}, in its order`, () => {
    expect(columns.map((column) => column.name)).toEqual(Object.keys(properties));
  });

  it(`types each column as docs/${file} types its property`, () => {
    const drifted = columns.filter((column) => {
      const property = properties[column.name];
      return property === undefined || !expectedTypes(property).includes(column.type);
    });

    expect(drifted.map(({ name, type }) => `${name}: ${type}`)).toEqual([]);
  });

  it('describes every column', () => {
    expect(columns.filter((column) => column.comment.length < 10)).toEqual([]);
  });
});

describe('the drift check', () => {
  it('fails for a property the table lacks and for a retyped property', () => {
    const schema: JsonSchema = {
      properties: {
        event_id: { type: 'string' },
        count: { type: 'integer' },
        failure: { type: 'object', properties: { reason: { type: 'string' }, code: { type: 'string' } } },
      },
    };

    expect(expectedTypes(schema.properties?.count as JsonSchema)).toEqual(['bigint']);
    expect(expectedTypes(schema.properties?.failure as JsonSchema)).toEqual([
      'string',
      'struct<reason:string,code:string>',
    ]);
    expect(expectedTypes({ type: ['object', 'null'] })).toEqual(['string']);
    expect(ENVELOPE_COLUMNS.map((column) => column.name)).not.toEqual(Object.keys(schema.properties ?? {}));
  });
});
