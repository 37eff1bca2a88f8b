/**
 * `npm run live -- --stream NAME [options]`: the live events page for a Kinesis stream, local or on
 * AWS, on 127.0.0.1. Options: `--help` or docs/operations.md. Exit status 0 when stopped (Ctrl-C),
 * 2 on any error (one line on stderr).
 */

import { LIVE_USAGE, parseLiveArgs } from '../tools/live/live-args';
import { startLive } from '../tools/live/live-server';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseLiveArgs(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(LIVE_USAGE);
    return;
  }
  const live = await startLive(options);
  process.stdout.write(
    [
      `Live events: ${live.url}`,
      `  reading "${options.connection.streamName}"${live.failedStreamName === undefined ? '' : ` and "${live.failedStreamName}"`} (${options.start.type === 'LATEST' ? 'new records' : `since ${options.start.type === 'AT_TIMESTAMP' ? options.start.timestamp.toISOString() : 'the start'}`})`,
      ...(live.failedStreamNote === undefined ? [] : [`  ${live.failedStreamNote}`]),
      '  served on 127.0.0.1 only; Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await live.stop();
}

main().catch((error: Error) => {
  process.stderr.write(`live: ${error.message}\n`);
  process.exitCode = 2;
});
