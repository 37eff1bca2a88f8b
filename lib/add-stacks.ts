import type { App } from 'aws-cdk-lib';
import { collectorRolePath } from './collector-role-path';
import { CollectorStack } from './collector-stack';
import type { DeployConfig } from './config';
import { StreamStack } from './stream-stack';

export interface AddedStacks {
  readonly streamStack?: StreamStack;
  readonly collectorStack?: CollectorStack;
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

  const external = config.collector.destination;
  let target: ConstructorParameters<typeof CollectorStack>[2]['target'];
  if (external !== undefined) {
    target = external;
  } else if (streamStack !== undefined && config.stream !== undefined) {
    const [externalId] = config.stream.externalIds;
    if (externalId === undefined)
      throw new Error('addStacks: the same-account topology needs an external ID');
    target = {
      writerRoleArn: streamStack.writerRole.roleArn,
      streamName: streamStack.stream.streamName,
      ...(streamStack.failedStream === undefined
        ? {}
        : { failedStreamName: streamStack.failedStream.streamName }),
      region: streamStack.region,
      externalId,
    };
  } else {
    throw new Error(
      'addStacks: the collector needs a destination (writerRoleArn, streamArn) or the stream stack',
    );
  }
  const collectorStack = new CollectorStack(app, `${config.stackPrefix}-Collector`, {
    description: 'kinesis-event-forwarder: HTTP API and Lambda collecting Segment-compatible events',
    config: config.collector,
    target,
    rolePath: collectorRolePath(config.stackPrefix),
  });
  return { ...(streamStack === undefined ? {} : { streamStack }), collectorStack };
}
