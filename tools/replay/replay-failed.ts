import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RuntimeConfig, RuntimeDestination } from '../../lambda/config/runtime-config';
import { withDedup } from '../../lambda/delivery/deduplicating-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import type { SeenStore } from '../../lambda/delivery/seen-store';
import type { FailureRecord } from '../../lambda/events/failure-record';
import type { FieldHashKey } from '../../lambda/events/field-rules';
import type { EventType } from '../../lambda/events/segment-event';
import { resolveRoute } from '../../lambda/http/routes';
import { Ingest } from '../../lambda/ingest/ingest';
import { decodeRecord, loadDeaggregator } from '../tail/decode-record';
import { tailStream } from '../tail/stream-tail';

/** The counts of a replay run, and why the events that still fail do. */
export interface ReplaySummary {
  /** Failure records read from the failed-events stream. */
  readonly read: number;
  /** Now valid and written to the main stream (or, with `dryRun`, that would be). */
  readonly replayed: number;
  /** Skipped: an event with the same `event_id` is in the main stream already (or earlier in this run). */
  readonly alreadyThere: number;
  /** Valid, but the source's pipeline does not forward them (consent, `integrations`). */
  readonly filtered: number;
  /** Still refused by the current configuration, by reason. */
  readonly stillFailing: Readonly<Record<string, number>>;
}

export interface ReplayOptions {
  /** A client that reads both streams and writes the main one. */
  readonly client: KinesisClient;
  /** The failed-events stream to read. */
  readonly failedStreamName: string;
  /** The configuration events are validated with now (plans, limits, pipelines). */
  readonly config: RuntimeConfig;
  /** Failure records that arrived from this time on. */
  readonly since: Date;
  /** Writes the main stream's records; with `dryRun`, nothing is written. */
  readonly writer: RecordWriter;
  readonly dryRun?: boolean;
  /**
   * Read `since` on the client (see `ShardReadOptions.timestampOnClient`): for emulators, which never
   * answer an `AT_TIMESTAMP` read of a shard with no record after `since`. The CLI sets it with
   * `readsTimestampOnClient`. @default false
   */
  readonly timestampOnClient?: boolean;
  /** Time each batch may take to write, retries included. @default 30000 */
  readonly batchBudgetMs?: number;
  readonly onProgress?: (summary: ReplaySummary) => void;
  /**
   * The seen store of `dedup`: an event of a deduplicating source is dropped (counted as already
   * there) when its `messageId` is marked `stream` for the destination, and marked `stream` once
   * written, as redrive does. Fail open. @default none: only the main stream's `event_id`s are compared
   */
  readonly seenStore?: SeenStore;
  /**
   * The deployment's field-hash key, for records written before the source had rules (those without
   * `redaction.applied`), which the source's current keyed `hash` rules apply to.
   * @default none: such a record with a keyed rule to apply fails the run (HashKeyMissingError)
   */
  readonly hashKey?: FieldHashKey;
}

/** Records are replayed (and progress reported) in batches of this many. */
const BATCH = 500;

/** Reads every record of a stream from `since` to its end, as parsed JSON objects (envelopes or failure records). */
async function readSince(
  client: KinesisClient,
  streamName: string,
  since: Date,
  timestampOnClient: boolean,
): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  const deaggregator = loadDeaggregator();
  await tailStream({
    client,
    streamName,
    start: { type: 'AT_TIMESTAMP', timestamp: since },
    follow: false,
    signal: new AbortController().signal,
    pollMs: 50,
    timestampOnClient,
    onRecords: (shardRecords) => {
      for (const record of shardRecords) {
        for (const event of decodeRecord(record, deaggregator)) {
          if (event.kind === 'envelope') records.push(event.envelope);
          else if (event.kind === 'failure') records.push(event.record);
        }
      }
    },
  });
  return records;
}

/** The destination whose failed-events stream this is. */
function destinationOf(config: RuntimeConfig, failedStreamName: string): RuntimeDestination {
  const destination = config.destinations.find((d) => d.failedStreamName === failedStreamName);
  if (destination === undefined) {
    throw new Error(
      `No destination of the configuration has failedStreamName "${failedStreamName}": give the configuration the collector runs with`,
    );
  }
  return destination;
}

const isFailureRecord = (
  record: Record<string, unknown>,
): record is Record<string, unknown> & FailureRecord =>
  typeof record.failure === 'object' && record.failure !== null && typeof record.event_id === 'string';

/** What the ingest of a refused event was told about its request, read back from its failure record. */
interface OriginalRequest {
  /** Events of one request share it, so they are replayed together. */
  readonly key: string;
  readonly sourceId: string;
  readonly receivedAt: number;
  /** The batch's (or `SentAt` header's) `sentAt`: it corrects timestamps of events without their own. */
  readonly sentAt?: string;
  /** The type a single-event endpoint (`/v1/track`) gives events that do not say theirs. */
  readonly endpointType?: EventType;
  /** The record's payload has the source's field rules applied already: they are not applied again. */
  readonly redacted: boolean;
}

/** The original request of a failure record; records written before `request.sentAt` existed have none. */
function originalRequestOf(record: FailureRecord): OriginalRequest {
  const receivedAt = Date.parse(record.received_at);
  const sentAt = typeof record.request?.sentAt === 'string' ? record.request.sentAt : undefined;
  const route = typeof record.request?.path === 'string' ? resolveRoute(record.request.path) : undefined;
  const endpointType = route?.kind === 'event' ? route.type : undefined;
  const redacted = record.redaction?.applied === true;
  return {
    key: JSON.stringify([
      record.source_id,
      record.received_at,
      sentAt ?? null,
      endpointType ?? null,
      redacted,
    ]),
    redacted,
    sourceId: record.source_id,
    receivedAt: Number.isNaN(receivedAt) ? Date.now() : receivedAt,
    ...(sentAt === undefined ? {} : { sentAt }),
    ...(endpointType === undefined ? {} : { endpointType }),
  };
}

/**
 * Re-validates the events of a failed-events stream with the current configuration and writes those
 * that now pass to the main stream of the destination that owns the failed stream, through the
 * collector's own use case (so a fixed plan, a raised limit or a corrected pipeline decide exactly as
 * the collector would now), given what the original request gave it: its `received_at`, its
 * `sentAt` (the timestamp correction) and the type a single-event endpoint implies. Idempotent by
 * `event_id`: each event is written with the `event_id` of its failure record, and events whose
 * `event_id` is in the main stream since `since` (or earlier in the run) are skipped, so running it
 * twice writes nothing the second time. Bodies of unparseable requests (`raw`) cannot be replayed:
 * they are counted as still failing.
 */
export async function replayFailed(options: ReplayOptions): Promise<ReplaySummary> {
  const { config } = options;
  const destination = destinationOf(config, options.failedStreamName);
  const sources = new Map(config.sources.map((source) => [source.id, source]));
  const [failures, main] = await Promise.all([
    readSince(options.client, options.failedStreamName, options.since, options.timestampOnClient === true),
    readSince(options.client, destination.streamName, options.since, options.timestampOnClient === true),
  ]);
  const present = new Set(main.map((record) => String(record.event_id ?? record.messageId ?? '')));
  const stillFailing: Record<string, number> = {};
  const fail = (reason: string) => {
    stillFailing[reason] = (stillFailing[reason] ?? 0) + 1;
  };
  const summary = { read: 0, replayed: 0, alreadyThere: 0, filtered: 0, stillFailing };
  const writer: RecordWriter = options.dryRun
    ? { write: async () => ({ failed: [], calls: 0 }) }
    : withDedup(options.writer, destination.id, options.seenStore, { dropWhen: 'stream' });
  const ingest = new Ingest({
    writers: new Map([[destination.id, writer]]),
    maxEventBytes: config.limits.maxEventBytes,
    ...(options.hashKey === undefined ? {} : { hashKey: options.hashKey }),
  });

  for (let start = 0; start < failures.length; start += BATCH) {
    const byRequest = new Map<string, { request: OriginalRequest; records: FailureRecord[] }>();
    for (const record of failures.slice(start, start + BATCH)) {
      summary.read++;
      if (!isFailureRecord(record)) {
        fail('not a failure record');
        continue;
      }
      if (record.payload === undefined) {
        fail(`request body (raw), not replayable: ${record.failure.reason}`);
        continue;
      }
      if (present.has(record.event_id)) {
        summary.alreadyThere++;
        continue;
      }
      present.add(record.event_id);
      const request = originalRequestOf(record);
      const group = byRequest.get(request.key) ?? { request, records: [] };
      group.records.push(record);
      byRequest.set(request.key, group);
    }
    for (const { request, records } of byRequest.values()) {
      const source = sources.get(request.sourceId);
      if (source === undefined) {
        for (const _ of records) fail(`source "${request.sourceId}" is not in the configuration`);
        continue;
      }
      const messages = records.map(({ payload, event_id }) =>
        typeof payload === 'object' && payload !== null && !Array.isArray(payload)
          ? { ...payload, messageId: event_id }
          : payload,
      );
      // Rules already applied when the record was written are never applied twice (docs/privacy.md).
      const pipeline = request.redacted ? { ...source.pipeline, redact: undefined } : source.pipeline;
      const outcome = await ingest.ingest({
        source: { ...source, pipeline, destinations: [destination.id] },
        ...(request.redacted && source.pipeline.redact !== undefined
          ? { appliedRules: source.pipeline.redact }
          : {}),
        messages,
        receivedAt: request.receivedAt,
        ...(request.sentAt === undefined ? {} : { sentAt: request.sentAt }),
        ...(request.endpointType === undefined ? {} : { endpointType: request.endpointType }),
        deadline: Date.now() + (options.batchBudgetMs ?? 30_000),
      });
      if (outcome.kind === 'undelivered') {
        throw new Error(
          `The main stream ${destination.streamName} did not take the replayed events (${outcome.undelivered
            .flatMap((report) => report.errorCodes)
            .join(', ')}); nothing is lost: run the replay again`,
        );
      }
      for (const rejection of outcome.rejected) fail(rejection.reason);
      if (outcome.kind === 'delivered') {
        summary.replayed += outcome.accepted - (outcome.filtered ?? 0) - (outcome.duplicates ?? 0);
        summary.alreadyThere += outcome.duplicates ?? 0;
        summary.filtered += outcome.filtered ?? 0;
      }
    }
    options.onProgress?.({ ...summary, stillFailing: { ...stillFailing } });
  }
  return { ...summary, stillFailing: { ...stillFailing } };
}
