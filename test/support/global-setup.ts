import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/**
 * jest's global setup: makes this run's synth cache directory (test/support/synth-cache.ts). Workers
 * start after it and inherit the variable; test/support/global-teardown.ts removes the directory.
 */
export default function globalSetup(): void {
  process.env[SYNTH_CACHE_DIR_ENV] = mkdtempSync(join(tmpdir(), 'kef-synth-cache-'));
}
