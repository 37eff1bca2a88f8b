import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { basename, join } from 'node:path';

/** A frame location of a bundled file: `index.js:52:42288` (path, 1-based line and column). */
const LOCATION = /([^\s()'"]*?([\w.-]+\.js)):(\d+):(\d+)/g;

/** Where the maps are: `<name>.js.map` for each bundled `<name>.js`, or `undefined` when there is none. */
export type SourceMapLookup = (bundledFile: string) => SourceMap | undefined;

/**
 * The source maps of a deployed asset directory (the cloud-assembly `asset.<hash>` of the function,
 * or its code downloaded from the Lambda console), each read once.
 */
export function assetSourceMaps(assetDir: string): SourceMapLookup {
  const maps = new Map<string, SourceMap | undefined>();
  return (file) => {
    if (!maps.has(file)) {
      const path = join(assetDir, `${file}.map`);
      maps.set(
        file,
        existsSync(path)
          ? new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload)
          : undefined,
      );
    }
    return maps.get(file);
  };
}

/** A map's source path from the project root: `lambda/...`, `node_modules/...` (the build's own `../`s dropped). */
function fromProjectRoot(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) return source.slice(modules);
  const lambda = source.search(/(^|\/)lambda\//);
  if (lambda >= 0) return source.slice(source[lambda] === '/' ? lambda + 1 : lambda);
  return source.replace(/^(\.\.\/)+/, '');
}

/**
 * A stack trace (or a whole log line holding one, JSON-escaped or not) with every location in a
 * bundled file turned into its source location, `lambda/http/collector-api.ts:195:33`. Function
 * names stay the bundle's (minified where esbuild renamed them); locations without a map stay as
 * they are.
 *
 * Why: the deployed function runs without `--enable-source-maps` (lib/constructs/collector-function.ts
 * says what it cost); its maps ship in the asset, and this reads them where a person has the time.
 */
export function decodeStack(text: string, mapOf: SourceMapLookup): string {
  return text.replace(LOCATION, (whole, _path: string, file: string, line: string, column: string) => {
    const map = mapOf(basename(file));
    if (map === undefined) return whole;
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
    return `${fromProjectRoot(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}
