import { CONTEXT_DEFAULTS } from './context-keys';
import {
  COLLECTOR_ROLE_ARN_RULE,
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_RULE,
  ROLE_ARN_PATTERN,
} from './context-patterns';
import type { ContextReader } from './context-reader';
import type { AlarmsDeployConfig, StreamDeployConfig } from './deploy-config';

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
    alarms,
  };
}
