import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ReplayArgsError, runReplayCli } from '../../tools/replay/replay-cli';
import { runTail, TailError } from '../../tools/tail/run-tail';
import { parseTailArgs } from '../../tools/tail/tail-args';
import { NO_REGION_MESSAGE } from '../../tools/tail/tail-client';

/** Variables through which the SDK finds a region (the shared config files point nowhere here). */
const REGION_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
] as const;

describe('tail and replay-failed with neither --endpoint nor an AWS region', () => {
  const saved: Partial<Record<(typeof REGION_VARIABLES)[number], string>> = {};

  beforeEach(() => {
    for (const name of REGION_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    // A machine with ~/.aws/config would give the SDK a region: no shared files for these tests.
    process.env.AWS_CONFIG_FILE = join(__dirname, 'no-such-aws-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(__dirname, 'no-such-aws-credentials');
  });

  afterEach(() => {
    for (const name of REGION_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('tail says to pass --endpoint for local mode or set a region for AWS, not the SDK’s "Region is missing"', async () => {
    // Prepare
    const options = parseTailArgs(['--stream', 'events', '--no-follow'], {});
    if (options === 'help') throw new Error('not a help request');
    const output = { stdout: new PassThrough(), stderr: new PassThrough(), env: {} };

    // Act
    const run = runTail({ ...options, signal: new AbortController().signal }, output);

    // Assess
    await expect(run).rejects.toThrow(TailError);
    await expect(run).rejects.toThrow(NO_REGION_MESSAGE);
    expect(NO_REGION_MESSAGE).toContain('pass --endpoint http://127.0.0.1:4567 for local mode');
  });

  it('replay-failed refuses it as bad usage (exit status 2), with the same advice', async () => {
    // Act
    const run = runReplayCli(
      ['--stream', 'events-failed', '--since', '1h'],
      {},
      { log: () => undefined, progress: () => undefined },
    );

    // Assess
    await expect(run).rejects.toThrow(ReplayArgsError);
    await expect(run).rejects.toThrow(NO_REGION_MESSAGE);
  });
});
