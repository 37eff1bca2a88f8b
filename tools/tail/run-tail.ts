import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord, loadDeaggregator } from './decode-record';
import { matchesFilters } from './event-filter';
import { colorEnabled, formatJson, formatLine, formatWarning } from './format-event';
import { tailStream } from './stream-tail';
import type { TailOptions } from './tail-args';
import { createTailClient } from './tail-client';

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

function where(options: TailOptions): string {
  const { endpoint, region } = options.connection;
  return endpoint ?? `region ${region ?? '(default)'}`;
}

/** An SDK error as one line that says what to do. */
export function describeError(error: unknown, options: TailOptions): TailError {
  const { name, message } = error as Error;
  const stream = options.connection.streamName;
  const code =
    (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  const text =
    name === 'ResourceNotFoundException'
      ? `stream "${stream}" not found at ${where(options)}: check --stream, and --endpoint or --region`
      : code === 'ECONNREFUSED'
        ? `cannot connect to ${where(options)}: is the emulator running (npm start)?`
        : name === 'AccessDeniedException' || name === 'AccessDenied'
          ? `access denied reading "${stream}" (${message}): the credentials need kinesis:DescribeStreamSummary, ListShards, GetShardIterator and GetRecords on the stream`
          : name === 'CredentialsProviderError'
            ? `no AWS credentials (${message}): use --profile, --role-arn, or the usual AWS_* variables`
            : `reading "${stream}" at ${where(options)} failed: ${name}: ${message}`;
  return new TailError(text, { cause: error });
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
}

/**
 * `npm run tail`: checks the stream exists, then prints its events (filtered) until every shard is
 * caught up (`follow: false`) or `signal` aborts. Throws `TailError` with a one-line message.
 */
export async function runTail(options: RunTailOptions, output: TailOutput): Promise<void> {
  const client = options.client ?? createTailClient(options.connection);
  const color = !options.json && colorEnabled(output.stdout, output.env, options.color);
  const deaggregator = loadDeaggregator();
  try {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: options.connection.streamName }), {
      abortSignal: options.signal,
    });
    await tailStream({
      client,
      streamName: options.connection.streamName,
      start: options.start,
      follow: options.follow,
      signal: options.signal,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      // Plain-http endpoints are emulators; kinesalite cannot be trusted with AT_TIMESTAMP.
      timestampOnClient: options.connection.endpoint?.startsWith('http://') === true,
      onReady: (shardCount) => {
        if (options.follow) {
          output.stderr.write(
            `tail: following ${shardCount} shard${shardCount === 1 ? '' : 's'} of "${options.connection.streamName}" at ${where(options)}; Ctrl-C to stop\n`,
          );
        }
      },
      onRecords: async (records) => {
        let lines = '';
        let warnings = '';
        for (const record of records) {
          for (const event of decodeRecord(record, deaggregator)) {
            if (!matchesFilters(event, options.filters)) continue;
            if (event.kind === 'unreadable') warnings += `${formatWarning(event)}\n`;
            else lines += `${options.json ? formatJson(event) : formatLine(event, { color })}\n`;
          }
        }
        if (warnings !== '') await write(output.stderr, warnings);
        if (lines !== '') await write(output.stdout, lines);
      },
    });
  } catch (error) {
    if (options.signal.aborted && (error as Error).name === 'AbortError') return;
    throw error instanceof TailError ? error : describeError(error, options);
  } finally {
    if (options.client === undefined) client.destroy();
  }
}
