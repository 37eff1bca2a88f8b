import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { assetSourceMaps, decodeStack } from '../../tools/stack/decode-stack';

/** A source whose `throw` is on line 6 and whose caller is on line 10. */
const SOURCE = [
  'export class BrokenThing {',
  '  constructor(private readonly reason: string) {}',
  '',
  '  fail(): never {',
  '    // the throw below is line 6',
  '    throw new Error(this.reason);',
  '  }',
  '}',
  'export function handler(): void {',
  "  new BrokenThing('decode me').fail();",
  '}',
].join('\n');

describe('decode-stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns the frames of a minified bundle run without source maps into source file and line', () => {
    // Arrange: bundled as the construct bundles (minified, map without sources content), run without maps.
    mkdirSync(join(dir, 'lambda'));
    writeFileSync(join(dir, 'lambda', 'broken-thing.ts'), SOURCE);
    const asset = join(dir, 'asset');
    buildSync({
      entryPoints: [join(dir, 'lambda', 'broken-thing.ts')],
      bundle: true,
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      platform: 'node',
      format: 'cjs',
      outfile: join(asset, 'index.js'),
      logLevel: 'silent',
    });
    const stack = execFileSync(
      process.execPath,
      [
        '-e',
        `try { require(${JSON.stringify(join(asset, 'index.js'))}).handler() } catch (e) { console.log(e.stack) }`,
      ],
      { encoding: 'utf8' },
    );

    // Act
    const decoded = decodeStack(stack, assetSourceMaps(asset));

    // Assess
    expect(stack).toMatch(/index\.js:1:\d+/);
    const frames = decoded.split('\n').filter((line) => line.includes('broken-thing.ts'));
    expect(frames.map((frame) => /lambda\/broken-thing\.ts:(\d+):\d+/.exec(frame)?.[1])).toEqual(['6', '10']);
    expect(decoded).not.toContain(asset);
  });

  it('leaves locations in files without a map as they are', () => {
    // Act
    const text = 'Error: x\n    at Object.<anonymous> (/var/task/other.js:3:7)';

    // Assess
    expect(decodeStack(text, assetSourceMaps(dir))).toBe(text);
  });
});
