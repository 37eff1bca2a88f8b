import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RuntimeConfig, RuntimeDestination } from '../config/runtime-config';
import type { DeliveryDiagnostics } from '../delivery/delivery-diagnostics';
import { type HotKeyNotice, withHotKeyRelief } from '../delivery/hot-key-record-writer';
import { KinesisRecordWriter } from '../delivery/kinesis-record-writer';
import type { RecordWriter } from '../delivery/record-writer';
import type { SpillStore } from '../delivery/spill-store';
import { withSpill } from '../delivery/spilling-record-writer';
import { loadLazyModule } from '../lazy/load-lazy-module';
import { allObservers, deliveryMetrics } from '../observability/delivery-metrics';

/** What every stream writer of a container reports to and spills into. */
export interface StreamWriterChainDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly diagnostics: DeliveryDiagnostics;
  /** `SPILL_QUEUE_URL` (SQS) or `SPILL_DIR` (files): where events go that the stream still refuses. */
  readonly spillStore: SpillStore | undefined;
}

/** Builds the writer of one stream (a destination's, or its failed-events stream). */
export type StreamWriterBuilder = (
  client: KinesisClient,
  destination: RuntimeDestination,
  config: RuntimeConfig,
  spillId: string,
  hotKeys?: boolean,
) => RecordWriter;

/**
 * The writer chain of a stream, outermost first: spill, hot-key relief (events' stream only), KPL
 * aggregation if asked, Kinesis with the delivery retries.
 */
export function streamWriterChain(deps: StreamWriterChainDependencies): StreamWriterBuilder {
  const { logger, metrics, diagnostics, spillStore } = deps;

  /** The `HotKeyOverflow` metric, and a log line per key that turned hot (its hash, never the key). */
  const hotKeysNoticed = (notice: HotKeyNotice) => {
    if (notice.overflowed > 0) metrics.addMetric('HotKeyOverflow', MetricUnit.Count, notice.overflowed);
    for (const { keyHash, trigger } of notice.turnedHot) {
      logger.warn('A hot partition key is spread over several keys until it cools down', {
        destinationId: notice.destinationId,
        keyHash,
        trigger,
      });
    }
  };

  return (client, destination, config, spillId, hotKeys = true) => {
    const kinesisWriter = new KinesisRecordWriter({
      client,
      streamName: destination.streamName,
      backoff: config.delivery,
      observer: allObservers(diagnostics.observer(destination), deliveryMetrics(metrics)),
    });
    // Aggregation inside the spill: what is spilled (and redriven) is events, not aggregated records.
    // KPL aggregation is the lazy module `kinesis-aggregation`: loaded by the first destination that asks.
    const writer = destination.aggregate
      ? new (loadLazyModule('kinesis-aggregation').AggregatingRecordWriter)(kinesisWriter)
      : kinesisWriter;
    // Outside aggregation (it marks the envelopes, and packs by the spread keys), inside the spill.
    const relieved = hotKeys
      ? withHotKeyRelief(writer, destination, { onHotKeys: (notice) => hotKeysNoticed(notice) })
      : writer;
    return withSpill(relieved, spillId, spillStore, {
      onSpill: (notice) => {
        metrics.addMetric('SpilledEvents', MetricUnit.Count, notice.spilled);
        logger.warn('Events the stream refused after the retry budget were spilled', { ...notice });
      },
    });
  };
}
