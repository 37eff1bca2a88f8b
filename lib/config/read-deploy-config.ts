import { CONTEXT_DEFAULTS, CUSTOM_DOMAIN_CONTEXT_KEYS } from './context-keys';
import { ACCOUNT_ID_PATTERN, STACK_PREFIX_PATTERN } from './context-patterns';
import { type ContextLookup, ContextReader } from './context-reader';
import type { DeployConfig, DeployEnvironment } from './deploy-config';
import { InvalidDeployConfigError } from './invalid-deploy-config-error';
import { readAlarmsConfig } from './read-alarms-config';
import { readCollectorConfig, readExternalDestination } from './read-collector-config';
import { readCollectorDocument } from './read-collector-document';
import { readExternalIds, readStreamConfig, reportArchiveKeysWithoutStreamStack } from './read-stream-config';

/**
 * Turns CDK context into a validated {@link DeployConfig}; throws {@link InvalidDeployConfigError}
 * listing every problem. The topology follows from the keys given:
 * - `externalIds` alone: same account, both stacks;
 * - `collectorAccountId` + `externalIds`: the stream stack only (the data owner's account);
 * - `writerRoleArn` + `streamArn` + `externalId`: the collector stack only.
 *
 * With `collectorConfig` (a configuration document), the collector's sources and destinations come
 * from the document: with `externalIds` both stacks (one destination may be bound to the stream
 * stack), without them the collector stack only (every destination names its stream and role); a
 * stream-only deploy (`collectorAccountId`) refuses it.
 */
export function readDeployConfig(lookup: ContextLookup, environment: DeployEnvironment = {}): DeployConfig {
  const reader = new ContextReader(lookup);
  const stackPrefix =
    reader.matching(
      'stackPrefix',
      STACK_PREFIX_PATTERN,
      'a valid stack name prefix; start with a letter, then letters, digits and -',
    ) ?? CONTEXT_DEFAULTS.stackPrefix;
  const alarms = readAlarmsConfig(reader);
  const withDocument = reader.has('collectorConfig');
  // With a document these keys are refused (it replaces them), so they choose no topology.
  const collectorSide =
    !withDocument && ['writerRoleArn', 'streamArn', 'externalId'].some((key) => reader.has(key));
  const streamSide = reader.has('collectorAccountId') || reader.has('externalIds');

  let config: DeployConfig | undefined;
  if (withDocument && reader.has('collectorAccountId')) {
    reader.problems.push(
      "collectorConfig: a stream-only deploy (collectorAccountId) has no collector to configure; deploy the document with the collector stack, in the collector's account (without collectorAccountId)",
    );
  } else if (withDocument && !streamSide) {
    if (reader.has('iteratorAgeAlarmSeconds')) {
      reader.problems.push(
        "iteratorAgeAlarmSeconds: only used by the stream stack (the stream's metrics live in its account); set it when you deploy the stream stack",
      );
    }
    reportArchiveKeysWithoutStreamStack(reader);
    const document = readCollectorDocument(reader, environment, 'collector-account', false);
    config = {
      topology: 'collector-account',
      stackPrefix,
      collector: readCollectorConfig(reader, alarms, environment, undefined, document),
    };
  } else if (collectorSide && streamSide) {
    reader.problems.push(
      'writerRoleArn/streamArn/externalId and collectorAccountId/externalIds belong to different deployments; deploy the stream stack with collectorAccountId + externalIds, then the collector stack with writerRoleArn + streamArn + externalId',
    );
  } else if (collectorSide) {
    if (reader.has('iteratorAgeAlarmSeconds')) {
      reader.problems.push(
        "iteratorAgeAlarmSeconds: only used by the stream stack (the stream's metrics live in its account); set it when you deploy the stream stack",
      );
    }
    reportArchiveKeysWithoutStreamStack(reader);
    const destination = readExternalDestination(reader);
    config = {
      topology: 'collector-account',
      stackPrefix,
      collector: readCollectorConfig(reader, alarms, environment, destination),
    };
  } else {
    const externalIds = readExternalIds(reader);
    if (externalIds.length === 0) {
      reader.problems.push(
        'externalIds: required; pass one or more external IDs the writer role accepts, e.g. -c externalIds=$(uuidgen)',
      );
    }
    const collectorAccountId = reader.matching(
      'collectorAccountId',
      ACCOUNT_ID_PATTERN,
      'an AWS account ID; use the 12 digits of the account that runs the collector',
    );
    if (reader.has('collectorAccountId')) {
      const domainKeys = CUSTOM_DOMAIN_CONTEXT_KEYS.filter((key) => reader.has(key));
      if (domainKeys.length > 0) {
        reader.problems.push(
          `${domainKeys.join(', ')}: only used by the collector stack; set ${domainKeys.length === 1 ? 'it' : 'them'} when you deploy the collector`,
        );
      }
      config = {
        topology: 'stream-account',
        stackPrefix,
        stream: readStreamConfig(reader, externalIds, alarms, collectorAccountId),
      };
    } else {
      const stream = readStreamConfig(reader, externalIds, alarms);
      const document = readCollectorDocument(reader, environment, 'same-account', stream.failedEventsStream);
      config = {
        topology: 'same-account',
        stackPrefix,
        stream,
        collector: readCollectorConfig(reader, alarms, environment, undefined, document),
      };
    }
  }
  if (reader.problems.length > 0 || config === undefined) throw new InvalidDeployConfigError(reader.problems);
  return config;
}
