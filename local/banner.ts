import { failedStreamNameOf } from '../lambda/contract/failed-stream-name';
import { ARCHIVE_FLUSH_INTERVAL_MS } from '../tools/archive/stream-archiver';
import { describeFaults } from './faults-route';
import { archivedStreams } from './local-archive';
import { describeConfig, isEmulated, usesLocalSts } from './local-config';
import { localKinesisEndpoint } from './local-kinesis-endpoint';
import type { LocalMode, LocalModeSettings } from './local-mode';

/**
 * The `npm run tail` line that prints the refused events of `failedStreamName`, ready to paste into
 * another terminal (whose environment is not this one's): `npm run tail -- --failed` when that alone
 * finds the stream (local mode's default name at the default emulator address), else the stream and
 * the endpoint spelled out.
 */
export function failedTailCommand(kinesisEndpoint: string, failedStreamName: string): string {
  return kinesisEndpoint === localKinesisEndpoint({}) && failedStreamName === failedStreamNameOf('events')
    ? 'npm run tail -- --failed'
    : `npm run tail -- --endpoint ${kinesisEndpoint} --stream ${failedStreamName}`;
}

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
  // The first source's own key, whether the document, WRITE_KEYS_FILE or a development key gave it:
  // they are on this machine already, and the curl line works only with a real one. The sources list
  // still shortens keys, which is enough to tell them apart.
  const firstKey = `${local.config.sources[0]?.writeKeys?.[0] ?? settings.writeKey}:`;
  const sampleKey = /^[\w.,:@%+=/-]+$/.test(firstKey) ? firstKey : `'${firstKey.replaceAll("'", "'\\''")}'`;
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
      ...local.config.destinations
        .filter((destination) => isEmulated(destination) && destination.failedStreamName !== undefined)
        .map(
          (destination) =>
            `  Refused events:   ${failedTailCommand(local.kinesisEndpoint, destination.failedStreamName as string)} (with their reason)`,
        ),
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
      `  Failed stream:    ${settings.failedStreamName} (refused events with their reason: ${failedTailCommand(local.kinesisEndpoint, settings.failedStreamName)})`,
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
      `  Spill directory:  ${spillDir} (redrive: npm run redrive -- --spill-dir ${spillDir} ${target} --endpoint ${local.kinesisEndpoint})`,
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
  if (local.suppression !== undefined) {
    const { tableName, endpoint } = local.suppression;
    lines.push(
      `  Suppression list: ${tableName} at ${endpoint} (npm run suppress -- add --source <id> --user-id <id> --endpoint ${endpoint})`,
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
