// @ts-check
const { writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/** How many of the slowest test files the summary prints. */
const SLOWEST_SHOWN = 10;

/**
 * A jest reporter that writes every test file's duration of a run to `test-durations.json` (at the
 * project root, gitignored) and prints the slowest ten at the end, so a regression of the suite's
 * time budget (issue 32: 240 s of jest on an idle 2-core machine) shows in every run.
 * Options: `{ outputFile }` (relative to the root dir) @default 'test-durations.json'.
 */
class DurationsReporter {
  /**
   * @param {{ rootDir: string, maxWorkers: number }} globalConfig
   * @param {{ outputFile?: string }} [options]
   */
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.maxWorkers = globalConfig.maxWorkers;
    this.outputFile = join(this.rootDir, options.outputFile ?? 'test-durations.json');
  }

  /**
   * @param {unknown} _contexts
   * @param {{ startTime: number, numTotalTests: number, numFailedTests: number,
   *   testResults: { testFilePath: string, numPassingTests: number, numFailingTests: number,
   *   perfStats: { start: number, end: number } }[] }} results
   */
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((result) => ({
        file: relative(this.rootDir, result.testFilePath),
        seconds: Math.max(0, result.perfStats.end - result.perfStats.start) / 1000,
        tests: result.numPassingTests + result.numFailingTests,
      }))
      .sort((a, b) => b.seconds - a.seconds);
    const wallSeconds = (Date.now() - results.startTime) / 1000;
    const sumSeconds = files.reduce((sum, entry) => sum + entry.seconds, 0);
    const report = {
      finishedAt: new Date().toISOString(),
      wallSeconds: round(wallSeconds),
      sumOfFileSeconds: round(sumSeconds),
      maxWorkers: this.maxWorkers,
      tests: results.numTotalTests,
      failedTests: results.numFailedTests,
      files: files.map((entry) => ({ ...entry, seconds: round(entry.seconds) })),
    };
    writeFileSync(this.outputFile, `${JSON.stringify(report, null, 2)}\n`);
    const lines = files
      .slice(0, SLOWEST_SHOWN)
      .map((entry) => `  ${entry.seconds.toFixed(1).padStart(6)} s  ${entry.file}`);
    process.stderr.write(
      `\nSlowest ${Math.min(SLOWEST_SHOWN, files.length)} test files (all ${files.length} in ${relative(process.cwd(), this.outputFile)}; ` +
        `wall ${wallSeconds.toFixed(1)} s, files summed ${sumSeconds.toFixed(1)} s, ${this.maxWorkers} worker(s)):\n${lines.join('\n')}\n`,
    );
  }
}

/** @param {number} value */
function round(value) {
  return Math.round(value * 10) / 10;
}

module.exports = DurationsReporter;
