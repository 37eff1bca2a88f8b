import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const WRAPPER = join(__dirname, '..', '..', '..', 'lambda', 'cold-start', 'exec-wrapper.sh');

/** Runs the wrapper as Lambda does (`wrapper <command> <args...>`), with printf as the command. */
function argumentsPassedOn(args: readonly string[]): string[] {
  const run = spawnSync(WRAPPER, ['printf', '[%s]\\n', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`exec-wrapper.sh exited ${run.status}: ${run.stderr}`);
  return run.stdout.trim().split('\n');
}

describe('lambda/cold-start/exec-wrapper.sh (AWS_LAMBDA_EXEC_WRAPPER)', () => {
  it('starts the command it is given without --expose-gc, keeping every other argument in order', () => {
    expect(
      argumentsPassedOn([
        '--expose-gc',
        '--max-http-header-size',
        '81920',
        '--max-semi-space-size=12',
        '--max-old-space-size=231',
        '/var/runtime/index.mjs',
      ]),
    ).toEqual([
      '[--max-http-header-size]',
      '[81920]',
      '[--max-semi-space-size=12]',
      '[--max-old-space-size=231]',
      '[/var/runtime/index.mjs]',
    ]);
  });

  it('keeps arguments with spaces, empty ones and flags that only start like --expose-gc as they are', () => {
    expect(argumentsPassedOn(['a b', '', '--expose-gc-x', '--expose-gc'])).toEqual([
      '[a b]',
      '[]',
      '[--expose-gc-x]',
    ]);
  });

  it('is executable, as the asset copy must be for Lambda to start it', () => {
    expect(statSync(WRAPPER).mode & 0o111).not.toBe(0);
  });
});
