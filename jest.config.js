/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // @middy/* 6.x ships ESM only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // One CDK synth per topology per run, shared through a temporary directory (test/support/synth-cache.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  restoreMocks: true,
  // jest's default on 2 cores is one worker (cores - 1); most heavy files wait on child processes
  // and sockets, so three workers on 2 cores keep both busy: measured 2026-12-06 on the same commit,
  // idle, 329 s with 2 workers, 284 s with 3 (CPU 153%), 357 s with 4 (the CPU-heavy synths collide).
  // (jest reads a percentage above 100% as a plain count, so the number is computed here.)
  // A fresh clone has no jest cache: start the files the committed baseline says are slowest.
  testSequencer: '<rootDir>/test/support/baseline-sequencer.js',
  maxWorkers: Math.max(1, Math.round(require('node:os').availableParallelism() * 1.5)),
  // Every run writes each test file's duration to test-durations.json and prints the slowest ten
  // (the 240 s budget of issue 32; test/README.md).
  reporters: ['default', '<rootDir>/test/support/durations-reporter.js'],
};
