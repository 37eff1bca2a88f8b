import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * docs/deploying.md's table of `KinesisEventForwarder` props is held to the props interface: every
 * prop has a row (with its default), in the interface's order, and no row names a prop that is not
 * there. Read from the sources as text, so the check loads no aws-cdk-lib.
 */
const ROOT = path.join(__dirname, '..', '..');

function interfaceProps(source: string, name: string): string[] {
  const start = source.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`no interface ${name}`);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((match) => match[1] as string);
}

function documentedProps(markdown: string): string[] {
  const start = markdown.indexOf('## Use it in your own CDK app');
  if (start < 0) throw new Error('docs/deploying.md has no "Use it in your own CDK app" section');
  const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((match) => {
    expect(match[2]?.trim()).not.toBe('');
    return match[1] as string;
  });
}

describe('the KinesisEventForwarder props table of docs/deploying.md', () => {
  const source = readFileSync(path.join(ROOT, 'lib', 'kinesis-event-forwarder.ts'), 'utf8');
  const docs = readFileSync(path.join(ROOT, 'docs', 'deploying.md'), 'utf8');

  it('lists every prop of the interface with its default, in its order, and nothing else', () => {
    expect(documentedProps(docs)).toEqual(interfaceProps(source, 'KinesisEventForwarderProps'));
  });

  it('names each custom-domain prop in the customDomain row', () => {
    const row = docs.split('\n').find((line) => line.startsWith('| `customDomain` |')) ?? '';
    for (const prop of interfaceProps(source, 'ForwarderDomainProps')) expect(row).toContain(prop);
  });
});
