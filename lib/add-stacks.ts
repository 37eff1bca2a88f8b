import type { App } from 'aws-cdk-lib';
import { collectorRolePath } from './collector-role-path';
import { CollectorStack } from './collector-stack';
import type { CollectorDeployConfig, DeployConfig, DeployDestination, StreamDeployConfig } from './config';
import { StreamStack } from './stream-stack';

export interface AddedStacks {
  readonly streamStack?: StreamStack;
  readonly collectorStack?: CollectorStack;
}

/** The same-account destination: the stream stack's stream, writer role and first external ID. */
function streamStackDestination(
  streamStack: StreamStack | undefined,
  stream: StreamDeployConfig | undefined,
  collector: CollectorDeployConfig,
): DeployDestination {
  if (streamStack === undefined || stream === undefined) {
    throw new Error(
      'addStacks: the collector needs a destination (writerRoleArn, streamArn) or the stream stack',
    );
  }
  const [externalId] = stream.externalIds;
  if (externalId === undefined) throw new Error('addStacks: the same-account topology needs an external ID');
  return {
    id: collector.destinationId,
    roleArn: streamStack.writerRole.roleArn,
    streamName: streamStack.stream.streamName,
    ...(streamStack.failedStream === undefined
      ? {}
      : { failedStreamName: streamStack.failedStream.streamName }),
    region: streamStack.region,
    externalId,
  };
}

/**
 * Adds the stacks of one deployment topology to the app. Stacks are environment-agnostic: they deploy
 * into whatever account and region the CLI's credentials select, and synthesize without any.
 */
export function addStacks(app: App, config: DeployConfig): AddedStacks {
  const streamStack =
    config.stream === undefined
      ? undefined
      : new StreamStack(app, `${config.stackPrefix}-Stream`, {
          description: 'kinesis-event-forwarder: event stream and the writer role the collector assumes',
          config: config.stream,
          // Same account: trust only the roles of the collector deployed with it.
          ...(config.collector === undefined ? {} : { collectorStackPrefix: config.stackPrefix }),
        });
  if (config.collector === undefined) return { ...(streamStack === undefined ? {} : { streamStack }) };

  // Collector-account topology: another account's stream, from context; else the stream stack's.
  const destination =
    config.collector.destination ?? streamStackDestination(streamStack, config.stream, config.collector);
  const collectorStack = new CollectorStack(app, `${config.stackPrefix}-Collector`, {
    description: 'kinesis-event-forwarder: HTTP API and Lambda collecting Segment-compatible events',
    config: config.collector,
    destination,
    rolePath: collectorRolePath(config.stackPrefix),
  });
  return { ...(streamStack === undefined ? {} : { streamStack }), collectorStack };
}
