/**
 * `npm run replay-failed -- --stream <failed stream> --since <time> [--dry-run]`: re-validates the
 * events of a failed-events stream with the current configuration and writes those that now pass to
 * the main stream. Options: `--help` or docs/data-quality.md.
 */
import { ReplayArgsError, runReplayCli } from '../tools/replay/replay-cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
runReplayCli(process.argv.slice(2), process.env, {
  log: (line) => console.log(line),
  progress: (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\u001b[K`);
  },
}).then(
  (code) => {
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.exit(code);
  },
  (error: Error) => {
    console.error(`replay-failed: ${error.message}`);
    process.exit(error instanceof ReplayArgsError ? 2 : 1);
  },
);
