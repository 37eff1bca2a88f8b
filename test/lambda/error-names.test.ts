import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const LAMBDA = path.join(__dirname, '..', '..', 'lambda');

/** Every `class X extends ...Error` of lambda/, with the `name` it declares (if any). */
function errorClasses(): { file: string; className: string; declaredName: string | undefined }[] {
  return readdirSync(LAMBDA, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => {
      const text = readFileSync(path.join(LAMBDA, file), 'utf8');
      return [...text.matchAll(/class (\w+) extends (\w*Error) \{([\s\S]*?)\n\}/g)].map((match) => ({
        file,
        className: match[1] as string,
        declaredName: /override readonly name(?:: string)? = '(\w+)'/.exec(match[3] ?? '')?.[1],
      }));
    });
}

describe('error names in the minified bundle', () => {
  it('has every error class of lambda/ declare its own name, so logs name it though esbuild renames classes', () => {
    // Arrange
    const classes = errorClasses();

    // Assess: the deployed bundle is minified without keepNames (lib/constructs/collector-function.ts).
    expect(classes.length).toBeGreaterThan(10);
    expect(classes.filter((entry) => entry.declaredName !== entry.className)).toEqual([]);
  });
});
