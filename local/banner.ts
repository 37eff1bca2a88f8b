import { ARCHIVE_FLUSH_INTERVAL_MS } from '../tools/archive/stream-archiver';
import { describeFaults } from './faults-route';
import { archivedStreams } from './local-archive';
import { describeConfig, isEmulated, usesLocalSts } from './local-config';
import type { LocalMode, LocalModeSettings } from './local-mode';

/**
 * The `npm run check-destination` line of each destination local mode runs, ready to paste: it
 * writes through the same fault proxy and assumes the same role through the same local STS as the
 * collector, and needs no AWS credentials (loopback endpoints get fixed local ones).
 */
export function checkDestinationCommands(local: LocalMode): string[] {
  return local.config.destinations
    .filter(isEmulated)
    .map((destination) =>
      [
        'npm run -s check-destination --',
        `--stream ${destination.streamName}`,
        `--region ${destination.region}`,
        `--endpoint ${local.kinesisWriteEndpoint}`,
        ...(usesLocalSts(destination) && local.sts !== undefined
          ? [
              `--role-arn ${local.sts.roleArn}`,
              ...(destination.externalId === undefined ? [] : [`--external-id ${destination.externalId}`]),
              `--sts-endpoint ${local.sts.stsEndpoint}`,
            ]
          : []),
      ].join(' '),
    );
}

/** What `npm start` prints once everything runs: where things are and how to try them. */
export function localBanner(
  local: LocalMode,
  settings: LocalModeSettings,
  spillDir?: string,
  archiveDir?: string,
): string {
  const withDocument = settings.configFile !== undefined || settings.configJson !== undefined;
  const [firstSource] = local.config.sources;
  const firstDevKey = firstSource === undefined ? undefined : local.devWriteKeys[firstSource.id];
  // Write keys of a document are secrets the banner does not print; development keys and the default one are not.
  const sampleKey = !withDocument
    ? `${settings.writeKey}:`
    : firstDevKey !== undefined
      ? `${firstDevKey}:`
      : `'<a write key of source "${firstSource?.id}">:'`;
  const devKeys = Object.entries(local.devWriteKeys);
  const lines = [
    'kinesis-event-forwarder: local collector running',
    `  Collector URL:    ${local.collectorUrl}`,
    `  Live events:      ${local.debugUrl}`,
    `  Fault switches:   ${local.faultsUrl} (${describeFaults(local.faults(), local.sts !== undefined)})`,
    `  Kinesis endpoint: ${local.kinesisEndpoint}${local.startedEmulator ? ' (kinesalite, in memory)' : ''}`,
  ];
  if (withDocument) {
    lines.push(
      `  Configuration:    ${settings.configFile ?? 'COLLECTOR_CONFIG'}`,
      `  Streams:          ${local.streams.join(', ')} (${settings.shardCount} shards each)`,
      ...(settings.writeKeysFile === undefined ? [] : [`  Write keys file:  ${settings.writeKeysFile.path}`]),
      ...describeConfig(local.config, local.collectorUrl),
      ...(devKeys.length === 0
        ? []
        : [
            '  Development write keys (sources without keys; set WRITE_KEYS_FILE to choose them):',
            ...devKeys.map(([sourceId, key]) => `    ${sourceId}: ${key}`),
          ]),
    );
  } else {
    lines.push(
      `  Stream:           ${settings.streamName}${local.startedEmulator ? ` (${settings.shardCount} shards)` : ''}`,
      `  Failed stream:    ${settings.failedStreamName} (refused events with their reason: npm run tail -- --failed)`,
      ...(process.env.TRACKING_PLAN_FILE
        ? [`  Tracking plan:    ${process.env.TRACKING_PLAN_FILE} (source "dev")`]
        : []),
      `  Write key:        ${settings.writeKey} (source "dev")`,
    );
  }
  if (spillDir) {
    const target =
      settings.configFile !== undefined
        ? `--config ${settings.configFile}`
        : `--stream ${local.streams[0] ?? settings.streamName}`;
    lines.push(
      `  Spill directory:  ${spillDir} (redrive: npm run redrive -- --spill-dir ${spillDir} ${target} --kinesis-endpoint ${local.kinesisEndpoint})`,
    );
  }
  if (archiveDir) {
    const streams = archivedStreams(local).map((stream) => `${stream.prefix}/ <- ${stream.streamName}`);
    lines.push(
      `  Archive folder:   ${archiveDir} (${streams.join(', ')}; GZIP JSON lines by hour, written every ${ARCHIVE_FLUSH_INTERVAL_MS / 1000} s and on Ctrl-C; SQL and replay: docs/archive.md)`,
    );
  }
  if (local.dedup !== undefined) {
    lines.push(
      `  Dedup table:      ${local.dedup.tableName} at ${local.dedup.endpoint} (dynalite unless DYNAMODB_ENDPOINT is set)`,
    );
  }
  if (local.sts !== undefined) {
    const { sts } = local;
    lines.push(
      `  STS endpoint:     ${sts.stsEndpoint} (local STS, trust policy synthesized by the CDK app)`,
      `  Writer role:      ${sts.roleArn}`,
    );
    const used = new Set(
      local.config.destinations.filter(usesLocalSts).flatMap((destination) => destination.externalId ?? []),
    );
    for (const externalId of used) {
      const trusted = sts.trustedExternalIds.includes(externalId);
      lines.push(
        `  External ID:      ${externalId} (the role trusts ${sts.trustedExternalIds.length} external ID${sts.trustedExternalIds.length === 1 ? '' : 's'}${trusted ? ', this one included' : ', NOT this one: ingest answers 503'})`,
      );
    }
  }
  for (const warning of local.warnings) lines.push('', `WARNING: ${warning}`);
  if (withDocument && (process.env.WRITE_KEY || process.env.STREAM_NAME || process.env.EXTERNAL_ID)) {
    lines.push(
      '',
      'Note: WRITE_KEY, STREAM_NAME and EXTERNAL_ID are not used with a configuration document.',
    );
  }
  lines.push(
    '',
    'Send an event:',
    `  curl -s -u ${sampleKey} -H 'content-type: application/json' \\`,
    `    -d '{"userId":"user-1","event":"Signed Up","properties":{"plan":"pro"}}' ${local.collectorUrl}/v1/track`,
    'Check a destination (no AWS credentials needed):',
    ...checkDestinationCommands(local).map((command) => `  ${command}`),
    'Take local Kinesis down and back:',
    `  curl -s -X POST -d '{"kinesis":"down"}' ${local.faultsUrl}`,
    `  curl -s -X POST -d '{"kinesis":"ok"}' ${local.faultsUrl}`,
    'Press Ctrl-C to stop.',
  );
  return lines.join('\n');
}
