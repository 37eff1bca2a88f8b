import type { App } from 'aws-cdk-lib';
import { collectorRolePath } from './collector-role-path';
import { CollectorStack } from './collector-stack';
import type { CollectorDocument, DeployConfig, DeployDestination } from './config';
import type { StreamSide } from './stream-side';
import { StreamStack } from './stream-stack';

export interface AddedStacks {
  readonly streamStack?: StreamStack;
  readonly collectorStack?: CollectorStack;
}

/** The same-account destination: the stream side's stream, writer role and first external ID. */
function streamSideDestination(streamSide: StreamSide | undefined, destinationId: string): DeployDestination {
  if (streamSide === undefined) {
    throw new Error(
      'addStacks: the collector needs a destination (writerRoleArn, streamArn) or the stream stack',
    );
  }
  return streamSide.destination(destinationId);
}

/**
 * The destinations of a configuration document, in its order: the one bound to the stream side
 * (no `roleArn` in the document) with the stream side's values, every other one as the document
 * names it (its stream's account read from its role's ARN, for the dashboard).
 */
export function documentDestinations(
  document: CollectorDocument,
  streamSide: StreamSide | undefined,
): DeployDestination[] {
  return document.config.destinations.map((destination) => {
    if (destination.id === document.boundDestinationId) {
      return streamSideDestination(streamSide, destination.id);
    }
    const { roleArn, externalId } = destination;
    if (roleArn === undefined || externalId === undefined) {
      throw new Error(
        `addStacks: destination "${destination.id}" of the document is neither bound nor roled`,
      );
    }
    const [, partition = 'aws', , , account = ''] = roleArn.split(':');
    return {
      id: destination.id,
      streamName: destination.streamName,
      region: destination.region,
      roleArn,
      externalId,
      streamArn: `arn:${partition}:kinesis:${destination.region}:${account}:stream/${destination.streamName}`,
      ...(destination.failedStreamName === undefined
        ? {}
        : { failedStreamName: destination.failedStreamName }),
    };
  });
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

  // A document's destinations; else another account's stream, from context; else the stream stack's.
  const { document } = config.collector;
  const destinations =
    document === undefined
      ? [
          config.collector.destination ??
            streamSideDestination(streamStack?.side, config.collector.destinationId),
        ]
      : documentDestinations(document, streamStack?.side);
  const [destination] = destinations;
  if (destination === undefined) throw new Error('addStacks: the collector needs a destination');
  const collectorStack = new CollectorStack(app, `${config.stackPrefix}-Collector`, {
    description: 'kinesis-event-forwarder: HTTP API and Lambda collecting Segment-compatible events',
    config: config.collector,
    destination,
    ...(document === undefined ? {} : { destinations }),
    rolePath: collectorRolePath(config.stackPrefix),
  });
  return { ...(streamStack === undefined ? {} : { streamStack }), collectorStack };
}
