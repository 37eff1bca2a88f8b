import { ARCHIVE_SETTING_KEYS, CONTEXT_DEFAULTS } from './context-keys';
import {
  COLLECTOR_ROLE_ARN_RULE,
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_RULE,
  ROLE_ARN_PATTERN,
} from './context-patterns';
import type { ContextReader } from './context-reader';
import type { AlarmsDeployConfig, ArchiveDeployConfig, StreamDeployConfig } from './deploy-config';

/** `externalIds`: the external IDs the writer role accepts, each valid, none twice. */
export function readExternalIds(reader: ContextReader): string[] {
  const ids = reader.list('externalIds') ?? [];
  for (const id of ids) {
    if (!EXTERNAL_ID_PATTERN.test(id))
      reader.problems.push(`externalIds: "${id}" is not ${EXTERNAL_ID_RULE}`);
  }
  if (new Set(ids).size !== ids.length)
    reader.problems.push('externalIds: remove the duplicate external IDs');
  return ids;
}

/** The stream stack's keys: capacity, retention, encryption and the iterator-age alarm. */
export function readStreamConfig(
  reader: ContextReader,
  externalIds: string[],
  alarms: AlarmsDeployConfig,
  collectorAccountId?: string,
): StreamDeployConfig {
  const mode = reader.oneOf('streamMode', CONTEXT_DEFAULTS.streamMode, ['ON_DEMAND', 'PROVISIONED']);
  if (mode === 'ON_DEMAND' && reader.has('shardCount')) {
    reader.problems.push('shardCount: only used with streamMode=PROVISIONED; remove it or set streamMode');
  }
  const shardCount = reader.integer('shardCount', CONTEXT_DEFAULTS.shardCount, 1, 10_000, ' shards');
  const encryption = reader.oneOf('streamEncryption', CONTEXT_DEFAULTS.streamEncryption, [
    'AWS_MANAGED',
    'CUSTOMER_MANAGED',
  ]);
  const collectorRoleArn = reader.matching('collectorRoleArn', ROLE_ARN_PATTERN, COLLECTOR_ROLE_ARN_RULE);
  if (reader.has('collectorRoleArn') && !reader.has('collectorAccountId')) {
    reader.problems.push(
      "collectorRoleArn: only used with collectorAccountId (the data owner's side); in one account the writer role trusts the collector deployed with it",
    );
  } else if (
    collectorRoleArn !== undefined &&
    collectorAccountId !== undefined &&
    collectorRoleArn.split(':')[4] !== collectorAccountId
  ) {
    reader.problems.push(
      `collectorRoleArn: ${collectorRoleArn} is not in collectorAccountId ${collectorAccountId}; use the CollectorRoleArn output of the collector stack in that account`,
    );
  }
  return {
    externalIds,
    ...(collectorAccountId === undefined ? {} : { collectorAccountId }),
    ...(collectorRoleArn === undefined ? {} : { collectorRoleArn }),
    capacity: mode === 'PROVISIONED' ? { mode: 'provisioned', shardCount } : { mode: 'on-demand' },
    retentionHours: reader.integer('retentionHours', CONTEXT_DEFAULTS.retentionHours, 24, 8760, ' hours'),
    encryption: encryption === 'CUSTOMER_MANAGED' ? 'customer-managed' : 'aws-managed',
    ...(reader.has('iteratorAgeAlarmSeconds')
      ? {
          iteratorAgeAlarmSeconds: reader.integer(
            'iteratorAgeAlarmSeconds',
            0,
            60,
            8760 * 3600,
            ' seconds (at most the longest retention)',
          ),
        }
      : {}),
    failedEventsStream: reader.boolean('failedEventsStream', CONTEXT_DEFAULTS.failedEventsStream),
    ...readArchiveConfig(reader),
    alarms,
  };
}

/**
 * `archive` and its settings (stream stack only): `{ archive }` when it is on; a setting given
 * without `archive=true` is reported rather than silently ignored.
 */
function readArchiveConfig(reader: ContextReader): { archive?: ArchiveDeployConfig } {
  if (!reader.boolean('archive', CONTEXT_DEFAULTS.archive)) {
    for (const key of ARCHIVE_SETTING_KEYS.filter((setting) => reader.has(setting))) {
      reader.problems.push(`${key}: only used with archive=true; add -c archive=true or remove it`);
    }
    return {};
  }
  const transitionDays = reader.integer(
    'archiveTransitionDays',
    CONTEXT_DEFAULTS.archiveTransitionDays,
    30,
    36_500,
    ' days (S3 moves nothing to Standard-IA before 30 days)',
  );
  const expirationDays = reader.has('archiveExpirationDays')
    ? reader.integer('archiveExpirationDays', 0, 1, 36_500, ' days')
    : undefined;
  if (
    expirationDays !== undefined &&
    reader.has('archiveTransitionDays') &&
    expirationDays < transitionDays + 30
  ) {
    reader.problems.push(
      `archiveExpirationDays: ${expirationDays} days is less than 30 days after archiveTransitionDays (${transitionDays}): Standard-IA bills 30 days at least, so the transition would cost more than it saves; remove archiveTransitionDays or expire later`,
    );
  }
  return {
    archive: {
      transitionDays,
      ...(expirationDays === undefined ? {} : { expirationDays }),
      bufferSeconds: reader.integer(
        'archiveBufferSeconds',
        CONTEXT_DEFAULTS.archiveBufferSeconds,
        0,
        900,
        ' seconds',
      ),
      bufferMb: reader.integer('archiveBufferMb', CONTEXT_DEFAULTS.archiveBufferMb, 1, 128, ' MiB'),
      recordFormat: reader.oneOf('archiveRecordFormat', CONTEXT_DEFAULTS.archiveRecordFormat, [
        'envelope',
        'segment',
      ]),
    },
  };
}

/** Archive keys in a deploy without the stream stack: reported, the archive belongs to the stream's owner. */
export function reportArchiveKeysWithoutStreamStack(reader: ContextReader): void {
  for (const key of ['archive', ...ARCHIVE_SETTING_KEYS].filter((setting) => reader.has(setting))) {
    reader.problems.push(
      `${key}: only used by the stream stack (the archive belongs in the stream's account); set it when you deploy the stream stack`,
    );
  }
}
