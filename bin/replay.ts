/**
 * `npm run replay -- --from <time> [--to <time>] (--archive-dir <dir> | --bucket <name>) [options]`:
 * writes the archived events received in a time range back to a stream, with their own `event_id`,
 * marked `replayed_at`, never a suppressed user's. Options and exit codes: `--help` or
 * docs/archive.md "Replay by time range".
 */

import { ReplayArchiveArgsError } from '../tools/replay-archive/replay-archive-args';
import {
  formatProgressBar,
  formatReplayCounts,
  runReplayArchiveCli,
} from '../tools/replay-archive/replay-archive-cli';
import { CheckpointMismatchError } from '../tools/replay-archive/replay-checkpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** Plain progress lines (stderr not a terminal): at most one this often. */
const PLAIN_PROGRESS_MS = 5_000;
const tty = process.stderr.isTTY === true;
let lastLine = 0;
const stopping = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nreplay: stopping after the batch in flight (Ctrl-C again to stop at once)\n');
  stopping.abort();
  process.once('SIGINT', () => process.exit(130));
});
runReplayArchiveCli(
  process.argv.slice(2),
  process.env,
  {
    log: (line) => console.log(line),
    warn: (line) => console.error(line),
    progress: (summary) => {
      if (tty) {
        process.stderr.write(`\r${formatProgressBar(summary)}\u001b[K`);
      } else if (Date.now() - lastLine >= PLAIN_PROGRESS_MS) {
        lastLine = Date.now();
        process.stderr.write(
          `replay: ${summary.filesDone}/${summary.files} files, ${formatReplayCounts(summary)}\n`,
        );
      }
    },
  },
  stopping.signal,
).then(
  (code) => {
    if (tty) process.stderr.write('\n');
    process.exit(code);
  },
  (error: Error) => {
    console.error(`replay: ${error.message}`);
    process.exit(error instanceof ReplayArchiveArgsError || error instanceof CheckpointMismatchError ? 2 : 1);
  },
);
