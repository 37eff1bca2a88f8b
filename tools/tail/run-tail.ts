import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ArrivalOrder } from './arrival-order';
import { decodeRecord, loadDeaggregator } from './decode-record';
import { matchesFilters } from './event-filter';
import { colorEnabled, formatFailureLine, formatJson, formatLine, formatWarning } from './format-event';
import type { ShardRecord } from './shard-reader';
import { tailStream } from './stream-tail';
import type { TailOptions } from './tail-args';
import { createTailClient, knowsRegion, NO_REGION_MESSAGE, readsTimestampOnClient } from './tail-client';

/** Tail cannot run; the message is the one line it prints. */
export class TailError extends Error {
  override readonly name = 'TailError';
}

/** Where tail writes: `stdout` gets events, `stderr` warnings. */
export interface TailOutput {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export interface RunTailOptions extends TailOptions {
  /** Stops a following tail. */
  readonly signal: AbortSignal;
  /** @default a client built from `connection` */
  readonly client?: KinesisClient;
  /** Wait between polls of a caught-up shard. @default 1000 */
  readonly pollMs?: number;
}

function where(options: Pick<TailOptions, 'connection'>): string {
  const { endpoint, region } = options.connection;
  return endpoint ?? `region ${region ?? '(default)'}`;
}

/** An SDK error as one line that says what to do. */
export function describeError(
  error: unknown,
  options: Pick<TailOptions, 'connection' | 'failed'>,
): TailError {
  const { name, message } = error as Error;
  const stream = options.connection.streamName;
  const code =
    (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  const text =
    name === 'ResourceNotFoundException'
      ? options.failed
        ? `failed-events stream "${stream}" not found at ${where(options)}: --failed reads <stream>-failed (local mode's name); for a deployed stack give its FailedStreamName output as --stream NAME, without --failed`
        : `stream "${stream}" not found at ${where(options)}: check --stream, and --endpoint or --region`
      : code === 'ECONNREFUSED'
        ? `cannot connect to ${where(options)}: is the emulator running (npm start)?`
        : name === 'AccessDeniedException' || name === 'AccessDenied'
          ? `access denied reading "${stream}" (${message}): the credentials need kinesis:DescribeStreamSummary, ListShards, GetShardIterator and GetRecords on the stream`
          : name === 'CredentialsProviderError'
            ? `no AWS credentials (${message}): use --profile, --role-arn, or the usual AWS_* variables`
            : `reading "${stream}" at ${where(options)} failed: ${name}: ${message}`;
  return new TailError(text, { cause: error });
}

/** What a tail run read, for the summary printed on Ctrl-C. */
export interface TailSummary {
  /** Kinesis records read (an aggregated record counts once). */
  records: number;
  /** Events in them (user records of aggregated ones, unreadable records included). */
  events: number;
  /** Events that matched the filters and were printed. */
  printed: number;
  /** Shards read. */
  shards: number;
}

/** The one line tail prints when interrupted: `tail: 1200 records, 1200 events (35 printed), 3 shards`. */
export function formatSummary(summary: TailSummary): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `tail: ${plural(summary.records, 'record')}, ${plural(summary.events, 'event')} (${summary.printed} printed), ${plural(summary.shards, 'shard')}`;
}

/** Whether a write error means the reader went away (`| head`): tail then stops quietly. */
const readerGone = (error: NodeJS.ErrnoException) =>
  error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || error.code === 'ECONNRESET';

/**
 * Writes `text`, waiting for `drain` when the stream is full; returns at once when `closed` has
 * aborted (the reader went away), so no write waits for a drain that never comes.
 */
async function write(stream: NodeJS.WritableStream, text: string, closed: AbortSignal): Promise<void> {
  if (closed.aborted || stream.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      closed.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    closed.addEventListener('abort', done, { once: true });
  });
}

/**
 * `npm run tail`: checks the stream exists, then prints its events (filtered) until every shard is
 * caught up (`follow: false`, in `ApproximateArrivalTimestamp` order across shards) or `signal`
 * aborts. Stops quietly when its output's reader goes away (EPIPE, as with `| head`). Resolves with
 * what it read; throws `TailError` with a one-line message.
 */
export async function runTail(options: RunTailOptions, output: TailOutput): Promise<TailSummary> {
  const client = options.client ?? createTailClient(options.connection);
  const color = !options.json && colorEnabled(output.stdout, output.env, options.color);
  const deaggregator = loadDeaggregator();
  const summary: TailSummary = { records: 0, events: 0, printed: 0, shards: 0 };
  const outputClosed = new AbortController();
  let outputError: Error | undefined;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (!readerGone(error)) outputError ??= error;
    outputClosed.abort();
  };
  output.stdout.on('error', onOutputError);
  output.stderr.on('error', onOutputError);
  const finished = new AbortController();
  const stop = AbortSignal.any([options.signal, outputClosed.signal, finished.signal]);

  const print = async (records: readonly ShardRecord[]) => {
    let lines = '';
    let warnings = '';
    for (const record of records) {
      for (const event of decodeRecord(record, deaggregator)) {
        summary.events++;
        if (!matchesFilters(event, options.filters)) continue;
        if (event.kind === 'unreadable') {
          warnings += `${formatWarning(event)}\n`;
        } else {
          summary.printed++;
          const line = options.json
            ? formatJson(event)
            : event.kind === 'failure'
              ? formatFailureLine(event, { color })
              : formatLine(event, { color });
          lines += `${line}\n`;
        }
      }
    }
    if (warnings !== '') await write(output.stderr, warnings, outputClosed.signal);
    if (lines !== '') await write(output.stdout, lines, outputClosed.signal);
  };
  // Following prints records as they come; a bounded read merges the shards by arrival time.
  const order = options.follow ? undefined : new ArrivalOrder(print, stop);
  try {
    if (!(await knowsRegion(client))) throw new TailError(NO_REGION_MESSAGE);
    await client.send(new DescribeStreamSummaryCommand({ StreamName: options.connection.streamName }), {
      abortSignal: stop,
    });
    await tailStream({
      client,
      streamName: options.connection.streamName,
      start: options.start,
      follow: options.follow,
      signal: stop,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      timestampOnClient: readsTimestampOnClient(options.connection),
      onReady: (shardCount) => {
        if (options.follow) {
          output.stderr.write(
            `tail: following ${shardCount} shard${shardCount === 1 ? '' : 's'} of "${options.connection.streamName}" at ${where(options)}; Ctrl-C to stop\n`,
          );
        }
      },
      onShardStart: (shardId) => {
        summary.shards++;
        order?.open(shardId);
      },
      onShardEnd: (shardId) => order?.end(shardId),
      onRecords: (records) => {
        summary.records += records.length;
        return order === undefined ? print(records) : order.push(records);
      },
    });
    await order?.idle();
  } catch (error) {
    if (stop.aborted && (error as Error).name === 'AbortError') return summary;
    throw error instanceof TailError ? error : describeError(error, options);
  } finally {
    finished.abort();
    output.stdout.off('error', onOutputError);
    output.stderr.off('error', onOutputError);
    if (options.client === undefined) client.destroy();
  }
  if (outputError !== undefined) {
    throw new TailError(`cannot write the output: ${outputError.message}`, { cause: outputError });
  }
  return summary;
}
