import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Every TypeScript file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The names each file imports from the `aws-cdk-lib` root (`import { A, type B } from 'aws-cdk-lib'`). */
function rootImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'aws-cdk-lib'/g)].flatMap((match) =>
    (match[1] as string)
      .split(',')
      .map((name) =>
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]
          ?.trim(),
      )
      .filter((name): name is string => name !== undefined && name !== ''),
  );
}

// The library build (tsconfig.build.json) maps the `aws-cdk-lib` root to its core declarations and
// emits without type checking (`noCheck`): a service namespace imported from the root (`aws_s3`)
// would not fail that build, and the declarations would say `any` where its types are inferred. The
// type check (`npm run typecheck`) reads the whole aws-cdk-lib, where the import is valid. So this
// test holds the line: what lib/ takes from the root, core has.
describe('the library build (npm pack) imports from the aws-cdk-lib root only what its core has', () => {
  it('names no service namespace in a root import of lib/ or lambda/', () => {
    // Arrange: the root's exports that core lacks are the namespaces (aws_s3, aws_kinesis, ...).
    const core = new Set(Object.keys(require('aws-cdk-lib/core')));
    const namespaces = new Set(Object.keys(require('aws-cdk-lib')).filter((name) => !core.has(name)));
    expect(namespaces.has('aws_kinesis')).toBe(true);
    const files = [...sources(join(ROOT, 'lib')), ...sources(join(ROOT, 'lambda'))];

    // Act
    const offending = files.flatMap((file) =>
      rootImports(file)
        .filter((name) => namespaces.has(name))
        .map(
          (name) =>
            `${relative(ROOT, file)}: ${name} (import it from 'aws-cdk-lib/${name.replace(/_/g, '-')}')`,
        ),
    );

    // Assert: and the scan does see the root imports that are there.
    expect(files.some((file) => rootImports(file).includes('Stack'))).toBe(true);
    expect(offending).toEqual([]);
  });
});
