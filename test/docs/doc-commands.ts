import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One shell command of a fenced ```sh / ```bash / ```shell block, continuation lines joined. */
export interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** The output the docs show for it: a `# {...}` or `# [...]` comment line right after it. */
  readonly expectedOutput?: string;
}

/** README.md and every page of docs/, relative to `root`. */
export function docFiles(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(path.join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
}

/** Comment text starts at an unquoted ` #` (or a `#` at the start of the line). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Splits at `&&` outside quotes; a line wrapped in a subshell `( ... )` is read without it. */
function andList(text: string): string[] {
  const inner = /^\((.*)\)$/s.exec(text)?.[1] ?? text;
  const parts: string[] = [];
  let quote: string | undefined;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
    } else if (depth === 0 && inner.startsWith('&&', i)) {
      parts.push(inner.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(inner.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * The commands of the fenced shell blocks of `files`: blocks may be indented (inside a list item);
 * comments dropped, `\` continuations joined, `a && b` read as two commands.
 */
export function shellCommands(root: string, files: readonly string[]): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const file of files) {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    let fence: { readonly shell: boolean } | undefined;
    let pending: { line: number; text: string } | undefined;
    let previous: DocCommand | undefined;
    lines.forEach((raw, index) => {
      const trimmed = raw.trim();
      if (fence === undefined) {
        if (trimmed.startsWith('```')) fence = { shell: /^```(sh|bash|shell)$/.test(trimmed) };
        return;
      }
      if (trimmed === '```') {
        fence = undefined;
        previous = undefined;
        return;
      }
      if (!fence.shell) return;
      const output = /^#\s*([[{].*)$/.exec(trimmed)?.[1];
      if (output !== undefined && previous !== undefined && pending === undefined) {
        const index = commands.indexOf(previous);
        commands[index] = { ...previous, expectedOutput: output };
        previous = undefined;
        return;
      }
      const line = withoutComment(trimmed).trimEnd();
      if (line === '' && pending === undefined) {
        previous = undefined;
        return;
      }
      const continued = line.endsWith('\\');
      const text = `${pending?.text ?? ''} ${continued ? line.slice(0, -1) : line}`.trim();
      const start = pending?.line ?? index + 1;
      if (continued) {
        pending = { line: start, text };
        return;
      }
      pending = undefined;
      for (const part of andList(text)) {
        previous = { file, line: start, text: part };
        commands.push(previous);
      }
    });
  }
  return commands;
}

/** The command substitutions `$( ... )` of a command (outermost only), with their places. */
export function commandSubstitutions(text: string): { readonly inner: string; readonly whole: string }[] {
  const found: { inner: string; whole: string }[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('$(', from);
    if (start < 0) return found;
    let depth = 0;
    let quote: string | undefined;
    let end = -1;
    for (let i = start + 1; i < text.length; i++) {
      const char = text[i];
      if (quote !== undefined) {
        if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') {
        quote = char;
      } else if (char === '(') {
        depth++;
      } else if (char === ')' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) return found;
    found.push({ inner: text.slice(start + 2, end).trim(), whole: text.slice(start, end + 1) });
    from = end + 1;
  }
}

/** A shell-like split: whitespace separates words, quotes group them. */
export function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  );
}
