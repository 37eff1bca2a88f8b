import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** docs/reliability.md, whose generated sections the reliability tests and the soak rewrite. */
export const RELIABILITY_DOC = join(__dirname, '..', 'docs', 'reliability.md');

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in `file` (the markers
 * stay), so each command rewrites only its own figures.
 */
export function replaceDocSection(file: string, name: string, content: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1 || to < from) throw new Error(`${file} has no ${start} ... ${end} section`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`);
}

/** Whether this run should rewrite the docs (`RELIABILITY_WRITE_DOCS=1`); else figures are only printed. */
export const writeDocs = (): boolean => process.env.RELIABILITY_WRITE_DOCS === '1';
