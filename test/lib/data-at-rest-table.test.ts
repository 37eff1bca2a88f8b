import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf } from './support/template-assertions';
import { buildTestApp, PROJECT_ROOT, templateOf } from './support/test-app';

/** The resource types that hold data, or the keys to it: each resource of these needs a row. */
const DATA_TYPES = [
  'AWS::Kinesis::Stream',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
] as const;

/** Which resources each row of the table speaks of: its stack, its type, its logical id's start. */
const ROWS: Record<string, { stack: 'stream' | 'collector'; type: string; idPrefix: string }> = {
  'Kinesis streams (events, failed events)': { stack: 'stream', type: 'AWS::Kinesis::Stream', idPrefix: '' },
  'stream key (`streamEncryption=CUSTOMER_MANAGED`)': {
    stack: 'stream',
    type: 'AWS::KMS::Key',
    idPrefix: '',
  },
  'spill queue + DLQ': { stack: 'collector', type: 'AWS::SQS::Queue', idPrefix: 'Spill' },
  'spill key (`spillEncryption=CUSTOMER_MANAGED`)': {
    stack: 'collector',
    type: 'AWS::KMS::Key',
    idPrefix: 'Spill',
  },
  'function logs': { stack: 'collector', type: 'AWS::Logs::LogGroup', idPrefix: 'CollectorLogs' },
  'API access logs': { stack: 'collector', type: 'AWS::Logs::LogGroup', idPrefix: 'IngestAccessLogs' },
  'write-keys provisioner logs': {
    stack: 'collector',
    type: 'AWS::Logs::LogGroup',
    idPrefix: 'WriteKeysProvisionerLogs',
  },
  'write-keys secret': { stack: 'collector', type: 'AWS::SecretsManager::Secret', idPrefix: 'WriteKeys' },
  'archive bucket (`archive=true`)': { stack: 'stream', type: 'AWS::S3::Bucket', idPrefix: 'Archive' },
  'archive delivery logs (`archive=true`)': {
    stack: 'stream',
    type: 'AWS::Logs::LogGroup',
    idPrefix: 'ArchiveDeliveryLogs',
  },
};

interface TableRow {
  readonly where: string;
  readonly deletion: string;
}

/** The rows of docs/security.md's "Data at rest and retention" table. */
function dataAtRestRows(): TableRow[] {
  const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
  const section = doc.split('## Data at rest and retention')[1]?.split('\n## ')[0] ?? '';
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    return { where: cells[0] ?? '', deletion: cells[4] ?? '' };
  });
}

/** Every option that adds a data resource, so that each row has resources to check. */
const EVERYTHING = {
  externalIds: 'data-at-rest',
  streamEncryption: 'CUSTOMER_MANAGED',
  spillEncryption: 'CUSTOMER_MANAGED',
  archive: 'true',
};

function templatesOf(context: Record<string, string>): Record<'stream' | 'collector', Template> {
  const { streamStack, collectorStack } = buildTestApp(context);
  return { stream: templateOf(streamStack), collector: templateOf(collectorStack) };
}

/** The DeletionPolicy of each resource a row speaks of, by logical id. */
function deletionPolicies(templates: Record<'stream' | 'collector', Template>, where: string) {
  const row = ROWS[where];
  if (row === undefined) throw new Error(`no resources known for the row "${where}": add it to ROWS`);
  const resources = Object.entries(resourcesOf(templates[row.stack], row.type)).filter(([id]) =>
    id.startsWith(row.idPrefix),
  );
  return Object.fromEntries(resources.map(([id, resource]) => [id, resource.DeletionPolicy ?? 'Delete']));
}

describe("docs/security.md's data-at-rest table", () => {
  const rows = dataAtRestRows();
  const templates = templatesOf(EVERYTHING);

  it('has a row for each kind of resource the table is known to speak of', () => {
    expect(rows.map((row) => row.where).sort()).toEqual(Object.keys(ROWS).sort());
  });

  it('has a row for every stream, queue, log group, secret and key of the templates', () => {
    const claimed = new Set(
      rows.flatMap((row) =>
        Object.keys(deletionPolicies(templates, row.where)).map((id) => `${ROWS[row.where]?.stack}/${id}`),
      ),
    );
    const held = (['stream', 'collector'] as const).flatMap((stack) =>
      DATA_TYPES.flatMap((type) =>
        Object.keys(resourcesOf(templates[stack], type)).map((id) => `${stack}/${id}`),
      ),
    );

    expect(held.filter((id) => !claimed.has(id))).toEqual([]);
  });

  it.each(rows.map((row) => [row.where, row]))(
    'tells the deletion policy of the %s as the templates set it',
    (_, row) => {
      const policies = deletionPolicies(templates, row.where);
      const expected = row.deletion.startsWith('**retained**') ? 'Retain' : 'Delete';

      expect(Object.keys(policies).length).toBeGreaterThan(0);
      expect(Object.values(policies)).toEqual(Object.values(policies).map(() => expected));
    },
  );

  const optOuts = rows.flatMap((row) => {
    const key = /`(\w+)=false` deletes/.exec(row.deletion)?.[1];
    return key === undefined ? [] : [[row.where, key] as const];
  });
  // One synth with every opt-out: each row speaks of its own resources only.
  const optedOut = templatesOf({
    ...EVERYTHING,
    ...Object.fromEntries(optOuts.map(([, key]) => [key, 'false'])),
  });

  it.each(optOuts)('deletes the %s with the stack when %s=false, as the row says', (where) => {
    const policies = deletionPolicies(optedOut, where);

    expect(Object.keys(policies).length).toBeGreaterThan(0);
    expect(Object.values(policies)).toEqual(Object.values(policies).map(() => 'Delete'));
  });
});
