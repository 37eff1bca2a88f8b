// @ts-check
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const baseline = require('./durations-baseline.json');

/** Seconds a file without a baseline entry (a new one) is taken to need: the middle of the list. */
const UNKNOWN_SECONDS = 5;

/**
 * Runs the slowest test files first, by the committed durations of a fresh clone's run
 * (`durations-baseline.json`, copied from a run's `test-durations.json`), so a fresh clone, which
 * has no jest cache, starts the long files first instead of ending on them. A run with jest's own
 * cache orders by it, as jest does (failed files first, then the slowest).
 */
class BaselineSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    const cached = tests.some((test) => this._getCache(test)[test.path] !== undefined);
    if (cached) return super.sort(tests);
    /** @param {import('@jest/test-result').Test} test */
    const seconds = (test) => baseline[relative(test.context.config.rootDir, test.path)] ?? UNKNOWN_SECONDS;
    return [...tests].sort((a, b) => seconds(b) - seconds(a));
  }
}

module.exports = BaselineSequencer;
