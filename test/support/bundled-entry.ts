import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { LAZY_MODULE_NAMES, LAZY_MODULE_SOURCE_DIR } from '../../lambda/contract/lazy-modules';
import { oncePerRun } from './once-per-run';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The one source whose `__dirname` names where the lazy modules' bundles are (lambda/lazy/load-lazy-module.ts). */
const LAZY_MODULE_LOADER = join(REPO_ROOT, LAZY_MODULE_SOURCE_DIR, 'load-lazy-module.ts');

/** How a bundle gets the npm packages its entry imports. */
export type BundledPackages =
  /** Compiled into the bundle too (`bin/tail.ts`: one file, nothing resolved at start-up). */
  | 'bundled'
  /**
   * Left out, and required at run time from the repository's node_modules by absolute path, as Node
   * resolves them from the importing source file (local mode: aws-cdk-lib, kinesalite and dynalite
   * stay the files `npm start` loads; bundling them would compile megabytes at every start).
   */
  | 'external';

export interface BundledEntryOptions {
  /** @default 'bundled' */
  readonly packages?: BundledPackages;
}

/**
 * Keeps what each source finds relative to itself what it is under tsx: `__dirname` is its own
 * directory in the repository and `require.resolve` resolves from it, so the emulator children local
 * mode forks, cdk.json and the geo database in node_modules are found from the bundle (in a
 * temporary directory) as from the sources. One exception, the lazy module loader, whose `__dirname`
 * names the bundle's own directory, where the lazy modules are bundled as `<name>.js` as in the
 * deployed asset.
 */
function sourceLocationPlugin(bundleDir: string): Plugin {
  return {
    name: 'source-location',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!/\b(__dirname|require\.resolve)\b/.test(source)) return undefined;
        const dir = args.path === LAZY_MODULE_LOADER ? bundleDir : dirname(args.path);
        const contents = source
          .replace(/\b__dirname\b/g, JSON.stringify(dir))
          .replace(
            /\brequire\.resolve\(/g,
            `require('node:module').createRequire(${JSON.stringify(args.path)}).resolve(`,
          );
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Makes every npm package import external, as the absolute path of the file Node itself would load
 * from the importing source (`require` resolution; an `import()` keeps ES module resolution), so the
 * bundle runs from any directory (the run's temporary one) and loads the same package files.
 */
function absoluteExternalsPlugin(): Plugin {
  return {
    name: 'absolute-externals',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (isBuiltin(args.path) || args.pluginData === 'absolute-externals') return undefined;
        if (args.kind === 'dynamic-import') {
          const found = await esbuild.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            pluginData: 'absolute-externals',
          });
          if (found.errors.length > 0) return { errors: found.errors };
          return { path: found.path, external: true };
        }
        const from = createRequire(join(args.resolveDir, 'index.js'));
        return { path: from.resolve(args.path), external: true };
      });
    },
  };
}

/**
 * A command's entry point (`bin/tail.ts`, `bin/local-collector.ts`) compiled by esbuild into one
 * CommonJS file, once per jest run (test/support/once-per-run.ts), in the run's temporary directory
 * (nothing is written into the repository), for tests that start the command many times as one Node
 * process: `node <file> ...args` then runs the same code as `tsx bin/<entry>.ts` without tsx's loader
 * hooks transforming the same hundreds of modules again at every start (~0.6-1 s of CPU each time).
 * When the entry can load the lazy modules (lambda/contract/lazy-modules.ts), they are bundled next
 * to it, as in the deployed asset. The tests of the npm scripts themselves (`npm start`, `npm run
 * <script>`) still go through tsx, as users run them. Returns the file's absolute path; the file is
 * read-only for its users.
 */
export async function bundledEntry(entry: string, options: BundledEntryOptions = {}): Promise<string> {
  const source = relative(REPO_ROOT, resolve(REPO_ROOT, entry));
  const packages = options.packages ?? 'bundled';
  const { file, errors } = await oncePerRun(`bundled-entry-${packages}-${source}`, async (workDir) => {
    const name = source.replace(/[^\w.-]/g, '_').replace(/\.ts$/, '');
    const outfile = join(workDir, `${name}.js`);
    try {
      const settings: BuildOptions = {
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: `node${process.versions.node.split('.')[0]}`,
        outdir: workDir,
        plugins: [
          sourceLocationPlugin(workDir),
          ...(packages === 'external' ? [absoluteExternalsPlugin()] : []),
        ],
        logLevel: 'silent',
      };
      const { metafile } = await build({
        ...settings,
        entryPoints: [{ in: join(REPO_ROOT, source), out: name }],
        metafile: true,
      });
      // The lazy modules, only for an entry that can load them (local mode can; tail cannot).
      if (relative(REPO_ROOT, LAZY_MODULE_LOADER) in (metafile?.inputs ?? {})) {
        await build({
          ...settings,
          entryPoints: LAZY_MODULE_NAMES.map((lazy) => ({
            in: join(REPO_ROOT, LAZY_MODULE_SOURCE_DIR, `${lazy}.ts`),
            out: lazy,
          })),
        });
      }
      return { file: outfile, errors: '' };
    } catch (error) {
      return { file: outfile, errors: String(error) };
    }
  });
  if (errors !== '') throw new Error(`esbuild could not bundle ${source}: ${errors}`);
  return file;
}
