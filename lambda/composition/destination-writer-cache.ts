import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RuntimeConfig, RuntimeDestination } from '../config/runtime-config';
import { withDedup } from '../delivery/deduplicating-record-writer';
import type { DeliveryDiagnostics } from '../delivery/delivery-diagnostics';
import { createKinesisClient, type KinesisClientOptions } from '../delivery/kinesis-client';
import type { RecordWriter } from '../delivery/record-writer';
import type { SeenStore } from '../delivery/seen-store';
import { failedSpillDestinationId } from '../events/failure-record';
import type { StreamWriterBuilder } from './stream-writer-chain';

interface BuiltDestination {
  /** The destination's settings the writer was built from: a change builds a new one. */
  readonly key: string;
  readonly client: KinesisClient;
  readonly writer: RecordWriter;
  /** The writer of its failed-events stream (`failedStreamName`), same client and guarantees. */
  readonly failedWriter?: RecordWriter;
}

/** What {@link DestinationWriterCache} builds writers with. */
export interface DestinationWriterCacheDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly diagnostics: DeliveryDiagnostics;
  /** How Kinesis clients get credentials (tests: the caller keys that sign AssumeRole). */
  readonly clientOptions?: KinesisClientOptions;
  readonly streamWriter: StreamWriterBuilder;
  /** The seen store of a configuration's `dedup` sources, if it has any. */
  readonly seenStoreFor: (config: RuntimeConfig) => SeenStore | undefined;
  /** Reports a prefetch that failed (the request that needs it asks again). */
  readonly prefetchFailed: (what: string, error: unknown, destinationId?: string) => void;
}

/** The writers of a configuration's destinations, by destination id. */
export interface DestinationWriterMaps {
  readonly writers: ReadonlyMap<string, RecordWriter>;
  /** Only destinations with a failed-events stream. */
  readonly failedWriters: ReadonlyMap<string, RecordWriter>;
}

/**
 * One writer per destination for a container: a destination's Kinesis client (and with it its
 * cached assumed-role credentials) lives as long as its settings do, so a reloaded document that
 * leaves a destination unchanged does not cost another AssumeRole.
 */
export class DestinationWriterCache {
  private readonly destinations = new Map<string, BuiltDestination>();

  constructor(private readonly deps: DestinationWriterCacheDependencies) {}

  /**
   * The writers of `config`'s destinations, built where their settings changed; with `prefetch`,
   * each new client starts its AssumeRole now. Clients of destinations `config` no longer has are
   * destroyed.
   */
  writersFor(config: RuntimeConfig, prefetch = false): DestinationWriterMaps {
    const built = config.destinations.map((d) => [d.id, this.builtFor(d, config, prefetch)] as const);
    const writers = new Map(built.map(([id, { writer }]) => [id, writer]));
    const failedWriters = new Map(
      built.flatMap(([id, { failedWriter }]) =>
        failedWriter === undefined ? [] : [[id, failedWriter] as const],
      ),
    );
    for (const [id, built] of this.destinations) {
      if (writers.has(id)) continue;
      built.client.destroy();
      this.destinations.delete(id);
      this.deps.diagnostics.forget(id);
    }
    return { writers, failedWriters };
  }

  private builtFor(
    destination: RuntimeDestination,
    config: RuntimeConfig,
    prefetch: boolean,
  ): BuiltDestination {
    const { logger, metrics, diagnostics, streamWriter, seenStoreFor, prefetchFailed } = this.deps;
    const key = JSON.stringify([destination, config.delivery, seenStoreFor(config) !== undefined]);
    const built = this.destinations.get(destination.id);
    if (built?.key === key) return built;
    if (built !== undefined) {
      built.client.destroy();
      diagnostics.forget(destination.id);
      diagnostics.forget(failedSpillDestinationId(destination.id));
    }
    const client = createKinesisClient(destination, {
      ...this.deps.clientOptions,
      onAssumeRole: () => metrics.addMetric('AssumeRoleCalls', MetricUnit.Count, 1),
      ...(prefetch
        ? {
            prefetchCredentials: {
              onError: (id, error) => prefetchFailed('the writer role credentials', error, id),
            },
          }
        : {}),
    });
    const writer = withDedup(
      streamWriter(client, destination, config, destination.id),
      destination.id,
      seenStoreFor(config),
      {
        onDuplicates: (count) => metrics.addMetric('DuplicateEvents', MetricUnit.Count, count),
        onFailOpen: (stage, count, error) => {
          metrics.addMetric('DedupFailOpen', MetricUnit.Count, count);
          logger.warn('The dedup table could not be used; events were written without it (fail open)', {
            destinationId: destination.id,
            stage,
            count,
            error: error as Error,
          });
        },
      },
    );
    const { failedStreamName } = destination;
    const failedId = failedSpillDestinationId(destination.id);
    const failedWriter =
      failedStreamName === undefined
        ? undefined
        : streamWriter(
            client,
            // Failure records are single events: never aggregated, so the stream reads as it is.
            { ...destination, id: failedId, streamName: failedStreamName, aggregate: false },
            config,
            failedId,
            false,
          );
    const fresh = { key, client, writer, ...(failedWriter === undefined ? {} : { failedWriter }) };
    this.destinations.set(destination.id, fresh);
    return fresh;
  }
}
