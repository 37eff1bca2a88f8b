/**
 * The package's entry point (`kinesis-event-forwarder`): the constructs a CDK app composes.
 *
 * - {@link KinesisEventForwarder}: the whole collector in one account, in your own stack;
 * - {@link StreamSide} and {@link CollectorSide}: the two halves of a cross-account deployment
 *   (the data owner's stream and writer role; the collector's API and function), which `bin/app.ts`
 *   builds its two stacks from;
 * - {@link StreamStack} and {@link CollectorStack}: those stacks, as `bin/app.ts` deploys them.
 */
export { CONCURRENCY_WARNING_ID, CollectorSide, type CollectorSideProps } from './collector-side';
export { CollectorStack, type CollectorStackProps } from './collector-stack';
export type {
  AlarmsDeployConfig,
  CollectorDeployConfig,
  CollectorDocument,
  DeployDestination,
  StreamDeployConfig,
} from './config';
export {
  type ForwarderDomainProps,
  KINESIS_EVENT_FORWARDER_PROPS,
  KinesisEventForwarder,
  type KinesisEventForwarderProps,
} from './kinesis-event-forwarder';
export { StreamSide, type StreamSideProps } from './stream-side';
export { StreamStack, type StreamStackProps } from './stream-stack';
