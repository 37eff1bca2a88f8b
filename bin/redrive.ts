/**
 * `npm run redrive -- ...`: moves spilled events (the SQS spill queue, or local mode's spill
 * directory) back into their Kinesis streams, then prints a summary. Exit code 0 when every
 * readable spilled event was moved (or skipped as a duplicate), 1 when some are left, 2 on bad usage.
 *
 *   npm run redrive -- --queue-url <SpillQueueUrl output> --stream <name> [--region eu-west-1]
 *   npm run redrive -- --queue-url <url> --config collector-config.json   (per-destination streams/roles)
 *   npm run redrive -- --spill-dir .spill --stream events --endpoint http://127.0.0.1:4567
 *   npm run redrive -- --spill-dir .spill --config examples/fan-out.json --endpoint http://127.0.0.1:4567
 * (`--kinesis-endpoint`, the older name of `--endpoint`, still works.)
 */
import { runRedrive } from '../tools/redrive/run-redrive';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
runRedrive(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`redrive: ${error.message}`);
    process.exit(1);
  },
);
