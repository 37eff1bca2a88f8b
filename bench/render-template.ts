/**
 * The values of one report section, by name, or `undefined` when the section was not measured in
 * this run (a partial run, `BENCH_ONLY`).
 */
export type SectionValues = Readonly<Record<string, string>> | undefined;

const BLOCK = /\{\{([#^])([A-Za-z][\w-]*)\}\}([\s\S]*?)\{\{\/\2\}\}/g;
const PLACEHOLDER = /\{\{\s*([A-Za-z][\w-]*)\.([A-Za-z][\w-]*)\s*\}\}/g;
const TAG_LINE = /^[ \t]*(\{\{[#^/][A-Za-z][\w-]*\}\})[ \t]*\n/gm;
const ALONE_ON_A_LINE = /^\{\{\s*([A-Za-z][\w-]*)\.([A-Za-z][\w-]*)\s*\}\}$/;

/**
 * Fills a Markdown template (bench/benchmarks.template.md) with report values, mustache-style but
 * with nothing else than this:
 * - `{{section.name}}` is the value `name` of section `section`;
 * - `{{#section}}...{{/section}}` keeps its text only when the section was measured,
 *   `{{^section}}...{{/section}}` only when it was not (blocks do not nest; a tag alone on its line
 *   takes its line with it);
 * - a line holding only a placeholder whose value is empty disappears (optional paragraphs).
 *
 * Strict on purpose, so template and code cannot drift apart unnoticed: a placeholder without a
 * value, a value of a section that no placeholder names, or an unknown section throws.
 */
export function renderTemplate(template: string, sections: Readonly<Record<string, SectionValues>>): string {
  const known = (section: string) => {
    if (!(section in sections)) throw new Error(`the template names an unknown section "${section}"`);
    return sections[section];
  };
  for (const [section, values] of Object.entries(sections)) {
    for (const name of Object.keys(values ?? {})) {
      if (!template.includes(`{{${section}.${name}}}`)) {
        throw new Error(`value ${section}.${name} is not used by the template`);
      }
    }
  }
  const blocksDone = template
    .replace(TAG_LINE, '$1')
    .replace(BLOCK, (_, kind: string, section: string, inner: string) => {
      const measured = known(section) !== undefined;
      return (kind === '#') === measured ? inner : '';
    });
  const value = (section: string, name: string) => {
    const values = known(section);
    const text = values?.[name];
    if (text === undefined) {
      throw new Error(
        values === undefined
          ? `{{${section}.${name}}} is outside a {{#${section}}} block, and ${section} was not measured`
          : `no value for {{${section}.${name}}}`,
      );
    }
    return text;
  };
  return blocksDone
    .split('\n')
    .flatMap((line) => {
      const alone = ALONE_ON_A_LINE.exec(line.trim());
      if (alone && value(alone[1] as string, alone[2] as string) === '') return [];
      return [line.replace(PLACEHOLDER, (_, section: string, name: string) => value(section, name))];
    })
    .join('\n');
}
