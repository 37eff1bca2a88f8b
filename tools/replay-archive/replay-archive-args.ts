import { LOCAL_SUPPRESSION_TABLE_NAME } from '../../lambda/contract/suppression-table';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  parseFlags,
  type StreamConnection,
  streamConnection,
} from '../tail/connection-flags';

/** Without `--rate`: events per second per open shard of the target, half a shard's 1,000 records/s. */
export const DEFAULT_RATE_PER_SHARD = 500;

export const REPLAY_ARCHIVE_USAGE = `Usage: npm run replay -- --from TIME [--to TIME] (--archive-dir DIR | --bucket NAME) [options]
Writes the archived events received from --from to --to back to a stream with their own event_id
and partition key, marked context.kinesis_event_forwarder.replayed_at; a suppressed user's events
are never written. Docs: docs/archive.md "Replay by time range".

  --from TIME              events received from this time on: an ISO-8601 time (2026-12-06T20:00:00Z)
                           or a duration ago (30m, 2h, 1d)
  --to TIME                ... and before this time (same forms, or now; default: now)
  --archive-dir DIR        the local archive folder (npm start's ARCHIVE_DIR; default: ARCHIVE_DIR)
  --bucket NAME            the archive bucket (ArchiveBucketName output) ...
  --prefix PREFIX          ... with this key prefix before events/ (default: none)
  --s3-endpoint URL        an S3-compatible endpoint (path-style; an emulator or a stand-in)
  --to-stream NAME         the stream to write to (default: STREAM_NAME, else events)
  --source ID              only events of this source (repeat or comma-separate for several)
  --type TYPE              only events of this type: track, identify, page, screen, group, alias
  --dry-run                count what would be written, write nothing
  --rate N                 events per second at most (default: ${DEFAULT_RATE_PER_SHARD} per open shard of --to-stream)
  --checkpoint FILE        resume from and save progress to FILE: run the same command again after an
                           interruption and nothing is written twice
  --dedup                  skip events the collector's dedup table marks as written, mark what is
                           written (--dedup-table NAME, default DEDUP_TABLE_NAME; consumers de-duplicate
                           by event_id anyway, so replay writes without it)
  --dedup-table NAME       the dedup table (DedupTableName output)
  --suppression-table NAME the suppression table (SuppressionTableName output; needed with --bucket)
  --hash-key-secret ARN    the hash key secret (HashKeySecretArn output; needed with --suppression-table)
  --dynamodb-endpoint URL  a DynamoDB-compatible endpoint (dynalite; default with a local --endpoint:
                           npm start's, http://127.0.0.1:DYNAMODB_PORT, table ${LOCAL_SUPPRESSION_TABLE_NAME})
  --ignore-suppression     write suppressed users' events too (prints a warning; only if no user may be
                           suppressed, e.g. a source without suppression that never had it)
  --config FILE            the collector's configuration document: each source's partitionKey and dedup
                           window (default: COLLECTOR_CONFIG or COLLECTOR_CONFIG_FILE, else partition key user)
${CONNECTION_USAGE}
  -h, --help               this text
Progress goes to stderr (a bar on a terminal, a line every few seconds otherwise); the summary
(read, written, skipped, suppressed, failed) to stdout.
Exit status: 0 when every event in the range was written or skipped, 1 when some were not (the stream
refused them, the suppression list could not be read, or the run was interrupted: run it again with
the same --checkpoint), 2 on bad usage.
`;

/** Bad usage: the message says what to change (exit 2). */
export class ReplayArchiveArgsError extends Error {
  override readonly name = 'ReplayArchiveArgsError';
}

/** Where the suppression list is read, or that it is not (with a warning). */
export type SuppressionTarget =
  | { readonly ignore: true }
  | {
      readonly ignore: false;
      readonly tableName: string;
      readonly endpoint?: string;
      /** The HMAC key secret; absent: the local dev key. */
      readonly keySecretId?: string;
    };

/** One `npm run replay` invocation, parsed. */
export interface ReplayArchiveArgs {
  readonly from: Date;
  readonly to: Date;
  readonly archive:
    | { readonly kind: 'folder'; readonly dir: string }
    | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly endpoint?: string };
  readonly target: StreamConnection;
  readonly sourceIds?: readonly string[];
  readonly types?: readonly string[];
  readonly dryRun: boolean;
  readonly rate?: number;
  readonly checkpoint?: string;
  readonly dedup?: { readonly tableName: string; readonly endpoint?: string };
  readonly suppression: SuppressionTarget;
  readonly configFile?: string;
}

const REPLAY_ARCHIVE_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  'archive-dir': { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  's3-endpoint': { type: 'string' },
  'to-stream': { type: 'string' },
  source: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  rate: { type: 'string' },
  checkpoint: { type: 'string' },
  dedup: { type: 'boolean' },
  'dedup-table': { type: 'string' },
  'suppression-table': { type: 'string' },
  'hash-key-secret': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'ignore-suppression': { type: 'boolean' },
  config: { type: 'string' },
  ...CONNECTION_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--from` / `--to`: an ISO-8601 time, a duration ago, or `now`. */
export function parseTime(flag: string, value: string, now: Date): Date {
  if (value === 'now') return now;
  const duration = DURATION.exec(value);
  if (duration !== null) {
    return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new ReplayArchiveArgsError(
      `${flag} ${value} is not an ISO-8601 time (like 2026-12-06T20:00:00Z), a duration ago (like 30m, 2h, 1d) or now`,
    );
  }
  return time;
}

const list = (values: readonly string[] | undefined): string[] | undefined => {
  const items = (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return items.length === 0 ? undefined : items;
};

const isLocalEndpoint = (endpoint: string | undefined) => endpoint?.startsWith('http://') === true;

/** Parses `npm run replay` arguments; `undefined` when `--help` asked for the usage. */
export function parseReplayArchiveArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  now: Date = new Date(),
): ReplayArchiveArgs | undefined {
  const fail = (message: string) => new ReplayArchiveArgsError(message);
  const values = parseFlags(
    argv,
    REPLAY_ARCHIVE_OPTIONS,
    (message, cause) => new ReplayArchiveArgsError(message, { cause }),
  );
  if (values.help) return undefined;
  if (values.from === undefined)
    throw fail('--from TIME is required (e.g. --from 2h, or --from 2026-12-06T20:00:00Z)');
  if (values.checkpoint !== undefined) {
    for (const [flag, value] of [
      ['--from', values.from],
      ['--to', values.to],
    ] as const) {
      if (value === undefined || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
        throw fail(
          `--checkpoint needs ${flag} as an ISO-8601 time (like 2026-12-06T20:00:00Z): a duration or now moves with the clock, so the run could not be resumed`,
        );
      }
    }
  }
  const from = parseTime('--from', values.from, now);
  const to = parseTime('--to', values.to ?? 'now', now);
  if (to.getTime() <= from.getTime()) {
    throw fail(
      `--to ${to.toISOString()} is not after --from ${from.toISOString()}: give a range that ends after it starts`,
    );
  }
  const archiveDir =
    values['archive-dir'] ?? (values.bucket === undefined ? env.ARCHIVE_DIR || undefined : undefined);
  if (archiveDir !== undefined && values.bucket !== undefined) {
    throw fail('Give one archive: --archive-dir DIR or --bucket NAME, not both');
  }
  if (archiveDir === undefined && values.bucket === undefined) {
    throw fail(
      'Say where the archive is: --archive-dir DIR (npm start ARCHIVE_DIR) or --bucket NAME (ArchiveBucketName output)',
    );
  }
  if (values.prefix !== undefined && values.bucket === undefined)
    throw fail('--prefix is only used with --bucket');
  if (values['s3-endpoint'] !== undefined && values.bucket === undefined) {
    throw fail('--s3-endpoint is only used with --bucket');
  }
  const prefix =
    values.prefix === undefined || values.prefix === '' || values.prefix.endsWith('/')
      ? (values.prefix ?? '')
      : `${values.prefix}/`;
  const streamName = values['to-stream'] ?? (env.STREAM_NAME || 'events');
  const target = streamConnection(streamName, values, env, fail);
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0)
      throw fail(`--rate ${values.rate} is not a positive number of events per second`);
  }
  const dynamodbEndpoint =
    values['dynamodb-endpoint'] ??
    (isLocalEndpoint(target.endpoint) ? `http://127.0.0.1:${env.DYNAMODB_PORT || 4568}` : undefined);
  let suppression: SuppressionTarget;
  if (values['ignore-suppression']) {
    if (values['suppression-table'] !== undefined) {
      throw fail('--ignore-suppression and --suppression-table contradict each other: give one');
    }
    suppression = { ignore: true };
  } else if (values['suppression-table'] !== undefined) {
    if (values['hash-key-secret'] === undefined && !isLocalEndpoint(dynamodbEndpoint)) {
      throw fail(
        "--hash-key-secret ARN (HashKeySecretArn output) is required with --suppression-table: ids are looked up by their hash with the deployment's key",
      );
    }
    suppression = {
      ignore: false,
      tableName: values['suppression-table'],
      ...(dynamodbEndpoint === undefined ? {} : { endpoint: dynamodbEndpoint }),
      ...(values['hash-key-secret'] === undefined ? {} : { keySecretId: values['hash-key-secret'] }),
    };
  } else if (dynamodbEndpoint !== undefined && isLocalEndpoint(dynamodbEndpoint)) {
    suppression = { ignore: false, tableName: LOCAL_SUPPRESSION_TABLE_NAME, endpoint: dynamodbEndpoint };
  } else {
    throw fail(
      'Replay applies the suppression list: give --suppression-table NAME --hash-key-secret ARN (SuppressionTableName and HashKeySecretArn outputs), or --ignore-suppression if no user may be suppressed',
    );
  }
  let dedup: ReplayArchiveArgs['dedup'];
  if (values.dedup) {
    const tableName = values['dedup-table'] ?? (env.DEDUP_TABLE_NAME || undefined);
    if (tableName === undefined)
      throw fail(
        '--dedup needs the dedup table: --dedup-table NAME (DedupTableName output) or DEDUP_TABLE_NAME',
      );
    dedup = { tableName, ...(dynamodbEndpoint === undefined ? {} : { endpoint: dynamodbEndpoint }) };
  } else if (values['dedup-table'] !== undefined) {
    throw fail('--dedup-table is only used with --dedup');
  }
  const sourceIds = list(values.source);
  const types = list(values.type);
  return {
    from,
    to,
    archive:
      archiveDir !== undefined
        ? { kind: 'folder', dir: archiveDir }
        : {
            kind: 's3',
            bucket: values.bucket as string,
            prefix,
            ...(values['s3-endpoint'] === undefined ? {} : { endpoint: values['s3-endpoint'] }),
          },
    target,
    ...(sourceIds === undefined ? {} : { sourceIds }),
    ...(types === undefined ? {} : { types }),
    dryRun: values['dry-run'] === true,
    ...(rate === undefined ? {} : { rate }),
    ...(values.checkpoint === undefined ? {} : { checkpoint: values.checkpoint }),
    ...(dedup === undefined ? {} : { dedup }),
    suppression,
    ...(values.config === undefined ? {} : { configFile: values.config }),
  };
}
