import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toEnvelope } from '../../lambda/events/envelope';
import { validateEvent } from '../../lambda/events/validate-event';
import { envelopeSchemaErrors } from '../support/envelope-schema';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'envelope.md'), 'utf8');

/** The documented examples: `### <type>`, then a "Sent" and a "Written" JSON block. */
const examples = [
  ...doc.matchAll(/### (\w+)\s+Sent:\s+```json\n([\s\S]*?)```\s+Written:\s+```json\n([\s\S]*?)```/g),
].map(([, type, sent, written]) => ({
  type,
  sent: JSON.parse(sent as string),
  written: JSON.parse(written as string),
}));

describe('docs/envelope.md', () => {
  it('shows one example for each of the six call types', () => {
    expect(examples.map((e) => e.type).sort()).toEqual([
      'alias',
      'group',
      'identify',
      'page',
      'screen',
      'track',
    ]);
  });

  it.each(examples.map((e) => [e.type, e] as const))(
    'shows the %s record the collector really writes for its input',
    (_, example) => {
      const validation = validateEvent(example.sent);
      if (!validation.ok) throw new Error(validation.reason);
      const receipt = {
        receivedAt: Date.parse('2026-11-21T23:15:25.100Z'),
        sourceId: 'web-shop',
        sourceIp: '203.0.113.7',
      };
      expect(toEnvelope(validation.event, receipt, 'events')).toEqual(example.written);
    },
  );

  it.each(examples.map((e) => [e.type, e.written] as const))(
    'shows a %s record that conforms to envelope.schema.json',
    (_, written) => {
      expect(envelopeSchemaErrors(written)).toEqual([]);
    },
  );

  it('documents every field of the envelope in its table', () => {
    const fields = Object.keys(examples[0]?.written ?? {});
    expect(fields).toHaveLength(17);
    for (const field of fields) expect(doc).toContain(`| \`${field}\` |`);
  });
});

describe('docs/envelope.schema.json', () => {
  it('refuses a record without an id, with an unknown type, or with an extra field', () => {
    const written = structuredClone(examples[0]?.written) as Record<string, unknown>;
    expect(envelopeSchemaErrors({ ...written, user_id: null, anonymous_id: null })).not.toEqual([]);
    expect(envelopeSchemaErrors({ ...written, type: 'launch' })).not.toEqual([]);
    expect(envelopeSchemaErrors({ ...written, extra: 1 })).not.toEqual([]);
  });
});
