import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { oncePerRun } from './once-per-run';

const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * A command's entry point (`bin/tail.ts`, say) compiled by esbuild into one CommonJS file, once per
 * jest run (test/support/once-per-run.ts), for tests that start the command many times as one Node
 * process: `node <file> ...args` then runs the same code as `tsx bin/<entry>.ts` without tsx's
 * loader hooks transforming the same ~600 modules again at every start (~0.6 s of CPU each time).
 * The tests of the npm script itself (`npm run <script>`) still go through tsx, as users run it.
 * Returns the file's absolute path; the file is read-only for its users.
 */
export async function bundledEntry(entry: string): Promise<string> {
  const source = relative(REPO_ROOT, resolve(REPO_ROOT, entry));
  const { file, errors } = await oncePerRun(`bundled-entry-${source}`, async (workDir) => {
    const outfile = join(workDir, `${source.replace(/[^\w.-]/g, '_')}.js`);
    try {
      await build({
        entryPoints: [join(REPO_ROOT, source)],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: `node${process.versions.node.split('.')[0]}`,
        outfile,
        logLevel: 'silent',
      });
      return { file: outfile, errors: '' };
    } catch (error) {
      return { file: outfile, errors: String(error) };
    }
  });
  if (errors !== '') throw new Error(`esbuild could not bundle ${source}: ${errors}`);
  return file;
}
