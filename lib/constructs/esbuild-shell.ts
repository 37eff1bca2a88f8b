import * as path from 'node:path';

/** A string as one POSIX shell word. */
export const shellWord = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * How the bundling commands of lib/constructs/ start esbuild: the project's own binary
 * (`<inputDir>/node_modules/.bin` first on `PATH`), without an `npx` process before it (~1 s of CPU
 * per command at every bundling synth). In NodejsFunction's Docker fallback `inputDir` is the
 * project root too (`/asset-input`), and where the project has no esbuild the image's own one on
 * `PATH` runs, as it does for NodejsFunction's own esbuild step there.
 */
export function esbuildLauncher(inputDir: string): string {
  return `PATH=${shellWord(path.posix.join(inputDir, 'node_modules', '.bin'))}:"$PATH" esbuild`;
}
