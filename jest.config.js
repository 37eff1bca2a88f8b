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
  // One worker per core. Measured on 60a11fd, idle 2-core machine: 2 workers 233 s of jest and 421 s
  // of CPU (every process of the run), 3 workers 261 s and 546 s: once the suite's waits were cut
  // (short delivery budgets, shared emulators and browser), a third worker only made the CPU-heavy
  // files (CLI synths, npm pack, npm start, Chromium) contend, which cost ~30% more CPU than it hid.
  // A fresh clone has no jest cache: start the files the committed baseline says are slowest.
  testSequencer: '<rootDir>/test/support/baseline-sequencer.js',
  maxWorkers: Math.max(1, require('node:os').availableParallelism()),
  // Every run writes each test file's duration to test-durations.json and prints the slowest ten
  // (the 240 s budget of issue 32; test/README.md).
  reporters: ['default', '<rootDir>/test/support/durations-reporter.js'],
};
