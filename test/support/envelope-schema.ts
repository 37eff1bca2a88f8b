import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const docSchema = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', file), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
const validate = ajv.compile(docSchema('envelope.schema.json'));
const validateFailureRecord = ajv.compile(docSchema('failure-record.schema.json'));

/** The schema errors of a failed-events stream record (empty when it conforms to docs/failure-record.schema.json). */
export function failureRecordSchemaErrors(data: unknown): string[] {
  return validateFailureRecord(data)
    ? []
    : (validateFailureRecord.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}

/** The schema errors of a record's data (empty when it conforms to docs/envelope.schema.json). */
export function envelopeSchemaErrors(data: unknown): string[] {
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}
