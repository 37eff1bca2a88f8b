/**
 * `npm start`: the collector on this machine, with no AWS account. Starts a Kinesis emulator,
 * creates the streams, and serves the Lambda handler behind a local stand-in for API Gateway.
 * Runs the configuration document of `--config <path>`, `COLLECTOR_CONFIG_FILE` or
 * `COLLECTOR_CONFIG` when one is given (exit 2 listing every problem when it is invalid).
 * Environment contract: see docs/configuration.md "Environment variables".
 */
import { InvalidConfigError } from '../lambda/config/runtime-config';
import { localBanner } from '../local/banner';
import { type LocalArchive, startLocalArchive } from '../local/local-archive';
import { localMetrics, powertoolsMetricsDisabled } from '../local/local-metrics';
import { LOCAL_CALLER_CREDENTIALS, localModeSettings, startLocalMode } from '../local/local-mode';

async function main(): Promise<void> {
  const settings = localModeSettings(process.env, process.argv.slice(2));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // EMF lines only when asked (LOCAL_METRICS=emf): the live page's counters show the traffic.
  process.env.POWERTOOLS_METRICS_DISABLED = powertoolsMetricsDisabled(localMetrics(process.env));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const spillDir = process.env.SPILL_DIR || undefined;
  const archiveDir = process.env.ARCHIVE_DIR || undefined;
  const local = await startLocalMode(settings, async (config, context) => {
    if (context.usesLocalSts) {
      // The function's own credentials, as the SDK's default chain finds them in Lambda: here, keys
      // of the local account that only the local STS ever sees.
      process.env.AWS_ACCESS_KEY_ID = LOCAL_CALLER_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CALLER_CREDENTIALS.secretAccessKey;
      delete process.env.AWS_SESSION_TOKEN;
    }
    if (context.dedup !== undefined) {
      // The dedup table as the collector stack hands it to the function, at the local emulator.
      process.env.DEDUP_TABLE_NAME = context.dedup.tableName;
      process.env.DYNAMODB_ENDPOINT = context.dedup.endpoint;
    }
    if (context.suppression !== undefined) {
      // The suppression table, as the collector stack hands it over; no FIELD_HASH_KEY_SECRET_ARN: the dev key.
      process.env.SUPPRESSION_TABLE_NAME = context.suppression.tableName;
      process.env.DYNAMODB_ENDPOINT = context.suppression.endpoint;
    }
    // The deployed entry point itself, configured the way the deployed function is: through its env.
    process.env.COLLECTOR_CONFIG = JSON.stringify(config);
    delete process.env.COLLECTOR_CONFIG_FILE;
    const entry = await import('../lambda/index');
    return entry.handler;
  });
  // Once the streams exist (at once, unless KINESIS_ENDPOINT answers only later); it reads them from
  // their start, so nothing written before it runs is missed.
  const archive: Promise<LocalArchive | undefined> =
    archiveDir === undefined
      ? Promise.resolve(undefined)
      : local.streamsReady
          .then(() =>
            startLocalArchive(local, archiveDir, settings.region, (error) =>
              console.error(`local archive: ${error.message} (retrying)`),
            ),
          )
          .catch((error: Error) => {
            console.error(`local archive: cannot start: ${error.message}`);
            return undefined;
          });
  console.log(localBanner(local, settings, spillDir, archiveDir));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the collector and the emulator`);
    // The archive reads the streams to their end before the emulator (and what it holds) goes.
    archive
      .then(async (started) => {
        if (started === undefined) return;
        await started.stop();
        console.log(`Archive folder ${archiveDir}: everything the streams held is written`);
      })
      .catch((error: Error) => console.error(`local archive: not everything was archived: ${error.message}`))
      .then(() => local.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`kinesis-event-forwarder: ${error.message}`);
  // An invalid configuration document is a usage error (exit 2), as in the other commands.
  process.exit(error instanceof InvalidConfigError ? 2 : 1);
});
