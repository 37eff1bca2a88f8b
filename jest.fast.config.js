/**
 * `npm run test:fast`: the unit and contract tests only, for the edit loop (< 60 s on a 2-core
 * machine). No CDK synth, no `npm start`, no Chromium, no CLI runs; `npm test` runs everything.
 * A new test file joins by living under test/lambda/ or by being listed here (test/README.md).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config'),
  testMatch: [
    '<rootDir>/test/lambda/**/*.test.ts',
    '<rootDir>/test/lib/{config,custom-domain-config,unknown-context-keys,contract-boundary,archive-table-columns,library-build-imports}.test.ts',
    '<rootDir>/test/docs/{envelope-doc,environment-variables,construct-props}.test.ts',
    '<rootDir>/test/e2e/browser-contract.test.ts',
    '<rootDir>/test/integration/ingest-path.test.ts',
    // bad-input.fuzz.test.ts stays out: thousands of fuzz runs, CPU-bound (44 s at load 12); npm test runs it.
    '<rootDir>/test/reliability/security.test.ts',
    '<rootDir>/test/bench/{report,render-template,typical-events}.test.ts',
    '<rootDir>/test/tools/{tail-args,live-args,tail-format,tail-decode,decode-stack,arrival-order,no-region,replay-archive-args,replay-archive}.test.ts',
    '<rootDir>/test/local/{debug-page-feed,banner,local-metrics}.test.ts',
  ],
  // Nothing here synthesizes: no synth cache directory to make.
  globalSetup: undefined,
  globalTeardown: undefined,
};
