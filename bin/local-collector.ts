/**
 * `npm start`: the collector on this machine, with no AWS account. Starts a Kinesis emulator,
 * creates the stream, and serves the Lambda handler behind a local stand-in for API Gateway.
 * Environment contract: see README "Local mode".
 */
import { LOCAL_CALLER_CREDENTIALS, localModeSettings, startLocalMode } from '../local/local-mode';

async function main(): Promise<void> {
  const settings = localModeSettings(process.env);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (settings.externalId !== undefined) {
    // The function's own credentials, as the SDK's default chain finds them in Lambda: here, keys
    // of the local account that only the local STS ever sees.
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CALLER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CALLER_CREDENTIALS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
  }
  const local = await startLocalMode(settings, async (config) => {
    // The deployed entry point itself, configured the way the deployed function is: through its env.
    process.env.COLLECTOR_CONFIG = JSON.stringify(config);
    const entry = await import('../lambda/index');
    return entry.handler;
  });

  const { collectorUrl, kinesisEndpoint, writerRole } = local;
  console.log(
    [
      'kinesis-event-forwarder: local collector running',
      `  Collector URL:    ${collectorUrl}`,
      `  Live events:      ${local.debugUrl}`,
      `  Kinesis endpoint: ${kinesisEndpoint}${local.startedEmulator ? ' (kinesalite, in memory)' : ''}`,
      `  Stream:           ${settings.streamName}${local.startedEmulator ? ` (${settings.shardCount} shards)` : ''}`,
      `  Write key:        ${settings.writeKey} (source "dev")`,
      ...(process.env.SPILL_DIR
        ? [
            `  Spill directory:  ${process.env.SPILL_DIR} (redrive: npm run redrive -- --spill-dir ${process.env.SPILL_DIR} --stream ${settings.streamName} --kinesis-endpoint ${kinesisEndpoint})`,
          ]
        : []),
      ...(writerRole === undefined
        ? []
        : [
            `  STS endpoint:     ${writerRole.stsEndpoint} (local STS, trust policy synthesized by the CDK app)`,
            `  Writer role:      ${writerRole.roleArn}`,
            `  External ID:      ${writerRole.externalId} (the role trusts ${writerRole.trustedExternalIds.length} external ID${writerRole.trustedExternalIds.length === 1 ? '' : 's'}${writerRole.trustedExternalIds.includes(writerRole.externalId) ? ', this one included' : ', NOT this one: ingest answers 503'})`,
          ]),
      '',
      'Send an event:',
      `  curl -s -u ${settings.writeKey}: -H 'content-type: application/json' \\`,
      `    -d '{"userId":"user-1","event":"Signed Up","properties":{"plan":"pro"}}' ${collectorUrl}/v1/track`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the collector and the emulator`);
    local.stop().then(
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
  process.exit(1);
});
