/**
 * `npm run tail -- --stream NAME [options]`: prints the events of a Kinesis stream, local or on
 * AWS. Options: `--help` or docs/operations.md. Exit status 0 when done, interrupted (Ctrl-C prints
 * a one-line summary on stderr) or when the reader of its output goes away (`| head`); 2 on any
 * error (one line on stderr).
 */

import { formatSummary, runTail } from '../tools/tail/run-tail';
import { parseTailArgs, TAIL_USAGE } from '../tools/tail/tail-args';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseTailArgs(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(TAIL_USAGE);
    return;
  }
  const interrupted = new AbortController();
  let byCtrlC = false;
  const stop = (signal: NodeJS.Signals) => {
    byCtrlC = signal === 'SIGINT';
    interrupted.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const summary = await runTail(
    { ...options, signal: interrupted.signal },
    { stdout: process.stdout, stderr: process.stderr, env: process.env },
  );
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (byCtrlC) process.stderr.write(`${formatSummary(summary)}\n`);
}

// A reader that goes away (`| head`) ends tail quietly; runTail stops reading when it does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

main().catch((error: Error) => {
  process.stderr.write(`tail: ${error.message}\n`);
  process.exitCode = 2;
});
