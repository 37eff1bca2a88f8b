import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

/** Every module specifier a file imports or re-exports, resolved against the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'([^']+)'/g)]
    .map((match) => match[1] ?? '')
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier)));
}

/**
 * The one module of lambda/ besides lambda/contract/ that lib/ may import: the runtime's schema, so
 * `cdk synth -c collectorConfig=<path>` refuses a document with the messages a cold start would give.
 */
const RUNTIME_SCHEMA_MODULE = 'lambda/config/runtime-config';

describe('the contract between the CDK app and the Lambda', () => {
  it('lets lib/ import from lambda/ only the contract module and the runtime schema module, so synth never loads the handler', () => {
    const crossings = sourceFiles('lib').flatMap((file) =>
      importsOf(file)
        .filter(
          (target) =>
            target.startsWith('lambda/') &&
            !target.startsWith('lambda/contract/') &&
            target !== RUNTIME_SCHEMA_MODULE,
        )
        .map((target) => `${file} imports ${target}`),
    );

    expect(crossings).toEqual([]);
  });

  it('keeps the contract module free of imports, so either side can load it at no cost', () => {
    const imports = sourceFiles('lambda/contract').flatMap((file) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^import .*$/gm)].map(
        (match) => `${file}: ${match[0]}`,
      ),
    );

    expect(imports).toEqual([]);
  });
});
