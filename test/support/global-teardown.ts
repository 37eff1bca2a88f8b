import { rmSync } from 'node:fs';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/** jest's global teardown: removes the run's synth cache directory made by global-setup.ts. */
export default function globalTeardown(): void {
  const dir = process.env[SYNTH_CACHE_DIR_ENV];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
