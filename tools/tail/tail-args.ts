import { failedStreamNameOf } from '../../lambda/contract/failed-stream-name';
import { localKinesisEndpoint } from '../../local/local-kinesis-endpoint';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  parseFlags,
  type StreamConnection,
  streamConnection,
} from './connection-flags';

/** Where each shard is first read from. */
export type StartPosition =
  | { readonly type: 'LATEST' }
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date };

/** Which events are printed; every given filter must match (values within one filter: any). */
export interface EventFilters {
  /** Envelope `type`. */
  readonly types: readonly string[];
  /** Envelope `user_id` or `anonymous_id`. */
  readonly users: readonly string[];
  /** Envelope `event` (track) or `name` (page / screen). */
  readonly events: readonly string[];
  /** Envelope `source_id`. */
  readonly sources: readonly string[];
}

/** What `npm run tail` was asked to do. */
export interface TailOptions {
  readonly connection: StreamConnection;
  readonly start: StartPosition;
  /** Keep reading (and pick up new shards) until interrupted; else stop when caught up. */
  readonly follow: boolean;
  readonly json: boolean;
  /**
   * `--failed`: the stream is a failed-events stream named after the main one (its records print
   * as failure lines either way; this only shapes the messages). @default - not set
   */
  readonly failed?: true;
  /** Colour wanted: `false` with `--no-color`, `undefined` to decide from the terminal. */
  readonly color?: boolean;
  readonly filters: EventFilters;
}

/** The command line is unusable; the message says what to change. */
export class TailArgsError extends Error {
  override readonly name = 'TailArgsError';
}

export const TAIL_USAGE = `Usage: npm run tail -- --stream NAME [options]
       npm run tail -- --failed [--stream NAME] [options]

Reads every shard of a Kinesis stream and prints one line per event; records of a failed-events
stream print one a line too, with their reason. Exits quietly (status 0) when the reader of its
output goes away (| head).

Where:
  --stream NAME          the stream (required without --failed)
  --failed               the failed-events stream: NAME-failed; without --stream, local mode's:
                         FAILED_STREAM_NAME, else STREAM_NAME-failed, else events-failed, read from
                         npm start's emulator (KINESIS_ENDPOINT, else http://127.0.0.1:KINESIS_PORT,
                         default 4567) unless a connection flag is given. A deployed stack's is its
                         FailedStreamName output: give it as --stream
${CONNECTION_USAGE}
From:
  (default)              new records only (LATEST)
  --from-start           everything still in the stream (TRIM_HORIZON)
  --since 10m            records that arrived in the last 10m (s, m, h, d) or since an ISO-8601 time
Output:
  --json                 one JSON object per line: { "meta": {...}, "envelope": {...} } (the whole
                         record: for a failed-events stream, the failure record)
  --no-follow            stop once every shard is caught up, records of all shards in arrival
                         order (default: follow until Ctrl-C, which prints a one-line summary)
  --no-color             no ANSI colours (also off when stdout is not a terminal or NO_COLOR is set)
Filters (repeat a flag or separate values with commas; different flags must all match; a failure
record matches by the event it holds):
  --type track,page      envelope type
  --user ID              user_id or anonymous_id
  --event NAME           track event name, or page / screen name
  --source ID            source_id
`;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `10m`, `2h`, `1d`, `30s`, or an ISO-8601 time: the moment it names. */
export function parseSince(value: string, now: Date): Date {
  const duration = DURATION.exec(value);
  if (duration !== null) {
    const unit = duration[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[unit]);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = new Date(value);
    if (!Number.isNaN(time.getTime())) {
      if (time.getTime() > now.getTime()) throw new TailArgsError(`--since ${value} is in the future`);
      return time;
    }
  }
  throw new TailArgsError(
    `--since ${value} is not a duration (like 30s, 10m, 2h, 1d) or an ISO-8601 time (like 2026-01-31T12:00:00Z)`,
  );
}

const list = (values: readonly string[] | undefined): string[] =>
  (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');

/** The flags it reads. */
const TAIL_OPTIONS = {
  stream: { type: 'string' },
  failed: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
  'from-start': { type: 'boolean' },
  since: { type: 'string' },
  json: { type: 'boolean' },
  'no-follow': { type: 'boolean' },
  'no-color': { type: 'boolean' },
  type: { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  event: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The stream `--failed` reads: `<--stream>-failed`; without `--stream`, local mode's failed-events
 * stream (`FAILED_STREAM_NAME`, else `<STREAM_NAME>-failed`, else `events-failed`).
 */
function failedStreamOf(streamName: string | undefined, env: NodeJS.ProcessEnv): string {
  if (streamName !== undefined && streamName !== '') return failedStreamNameOf(streamName);
  return env.FAILED_STREAM_NAME || failedStreamNameOf(env.STREAM_NAME || 'events');
}

/**
 * Whether the command asks for local mode's failed-events stream: `--failed` without `--stream` and
 * without any flag that says where the stream is (`--endpoint`, `--region`, `--profile`,
 * `--role-arn`). Local mode's names only exist in its emulator, so that is where it is read.
 */
function readsLocalFailedStream(values: {
  readonly failed?: boolean | undefined;
  readonly stream?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'role-arn'?: string | undefined;
}): boolean {
  return (
    values.failed === true &&
    !values.stream &&
    [values.endpoint, values.region, values.profile, values['role-arn']].every((flag) => flag === undefined)
  );
}

/**
 * Parses `npm run tail` arguments. `env` supplies the region when `--region` is absent, and with
 * `--failed` alone the stream's name (`FAILED_STREAM_NAME`, `STREAM_NAME`) and where `npm start`
 * serves it (`KINESIS_ENDPOINT`, `KINESIS_PORT`), so the banner's `npm run tail -- --failed` works
 * as pasted. Throws `TailArgsError` with a message naming the flag.
 */
export function parseTailArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  now: Date = new Date(),
): TailOptions | 'help' {
  const values = parseFlags(argv, TAIL_OPTIONS, (message, cause) => new TailArgsError(message, { cause }));
  if (values.help) return 'help';
  const streamName = values.failed ? failedStreamOf(values.stream, env) : values.stream;
  if (streamName === undefined || streamName === '') {
    throw new TailArgsError(
      '--stream NAME is required (the Kinesis stream to read), or --failed for the failed-events stream',
    );
  }
  if (values['from-start'] && values.since !== undefined) {
    throw new TailArgsError('--from-start and --since both say where to start: give one of them');
  }
  const flags = readsLocalFailedStream(values) ? { ...values, endpoint: localKinesisEndpoint(env) } : values;
  const connection = streamConnection(streamName, flags, env, (message) => new TailArgsError(message));
  const start: StartPosition = values['from-start']
    ? { type: 'TRIM_HORIZON' }
    : values.since !== undefined
      ? { type: 'AT_TIMESTAMP', timestamp: parseSince(values.since, now) }
      : { type: 'LATEST' };
  return {
    connection,
    start,
    follow: !values['no-follow'],
    json: values.json === true,
    ...(values.failed ? { failed: true } : {}),
    ...(values['no-color'] ? { color: false } : {}),
    filters: {
      types: list(values.type),
      users: list(values.user),
      events: list(values.event),
      sources: list(values.source),
    },
  };
}
