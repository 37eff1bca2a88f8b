/**
 * The environment variable naming a jest run's synth cache directory (test/support/synth-cache.ts),
 * set by test/support/global-setup.ts; in its own module so the global setup loads no aws-cdk-lib.
 */
export const SYNTH_CACHE_DIR_ENV = 'KEF_SYNTH_CACHE_DIR';
