import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'envelope.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema errors of a record's data (empty when it conforms to docs/envelope.schema.json). */
export function envelopeSchemaErrors(data: unknown): string[] {
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}
