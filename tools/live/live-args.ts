import type { StreamConnection } from '../tail/connection-flags';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseFlags, streamConnection } from '../tail/connection-flags';
import { parseSince, type StartPosition } from '../tail/tail-args';

/** What `npm run live` was asked to do. */
export interface LiveOptions {
  readonly connection: StreamConnection;
  /** The failed-events stream; when not given, `<stream>-failed` is read if it exists. */
  readonly failedStreamName?: string;
  readonly start: StartPosition;
  /** Port on 127.0.0.1 (0: a free one). */
  readonly port: number;
  /** Events the page keeps. */
  readonly capacity: number;
}

/** The command line is unusable; the message says what to change. */
export class LiveArgsError extends Error {
  override readonly name = 'LiveArgsError';
}

/** Port of the page unless `--port` says otherwise (`npm start` uses 8080). */
export const DEFAULT_LIVE_PORT = 8081;

export const LIVE_USAGE = `Usage: npm run live -- --stream NAME [options]

Serves the live events page on http://127.0.0.1:${DEFAULT_LIVE_PORT}/_debug (this machine only) for a
Kinesis stream, local or on AWS: its events as they arrive, and the failed events of NAME-failed
when that stream exists. Reads like npm run tail (GetRecords, once a second per shard when caught up).

Where:
  --stream NAME          the stream (required)
  --failed-stream NAME   the failed-events stream (default: NAME-failed, read only if it exists)
${CONNECTION_USAGE}
From:
  (default)              new records only (LATEST)
  --since 10m            records that arrived in the last 10m (s, m, h, d) or since an ISO-8601 time
Page:
  --port N               port on 127.0.0.1 (default ${DEFAULT_LIVE_PORT}; 0 picks a free one)
  --capacity N           events the page keeps (default 200, at most 5000)
`;

function whole(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new LiveArgsError(`${flag} ${value} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}

/** The flags it reads. */
const LIVE_OPTIONS = {
  stream: { type: 'string' },
  'failed-stream': { type: 'string' },
  ...CONNECTION_OPTIONS,
  since: { type: 'string' },
  port: { type: 'string' },
  capacity: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `npm run live` arguments (the connection options are tail's). `env` supplies the region
 * when `--region` is absent. Throws `LiveArgsError` with a message naming the flag.
 */
export function parseLiveArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  now: Date = new Date(),
): LiveOptions | 'help' {
  const values = parseFlags(argv, LIVE_OPTIONS, (message, cause) => new LiveArgsError(message, { cause }));
  if (values.help) return 'help';
  const streamName = values.stream;
  if (streamName === undefined || streamName === '') {
    throw new LiveArgsError('--stream NAME is required (the Kinesis stream to watch)');
  }
  if (values['failed-stream'] === streamName) {
    throw new LiveArgsError('--failed-stream names the main stream: give the failed-events stream');
  }
  const connection = streamConnection(streamName, values, env, (message) => new LiveArgsError(message));
  return {
    connection,
    ...(values['failed-stream'] === undefined ? {} : { failedStreamName: values['failed-stream'] }),
    start:
      values.since === undefined
        ? { type: 'LATEST' }
        : { type: 'AT_TIMESTAMP', timestamp: parseSince(values.since, now) },
    port: whole(values.port, '--port', DEFAULT_LIVE_PORT, 0, 65_535),
    capacity: whole(values.capacity, '--capacity', 200, 1, 5_000),
  };
}
