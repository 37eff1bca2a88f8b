import { type RuntimeConfig, readRuntimeConfig } from '../../lambda/config/runtime-config';
import { createDynamoDbSeenStore } from '../../lambda/delivery/dynamodb-seen-store';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { type FieldHashKey, LOCAL_DEV_HASH_KEY, needsHashKey } from '../../lambda/events/field-rules';
import { localModeSettings, localRuntimeConfig } from '../../local/local-mode';
import { readHashKeySecret } from '../hash-key/read-hash-key-secret';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  parseFlags,
  type StreamConnection,
  streamConnection,
} from '../tail/connection-flags';
import { parseSince } from '../tail/tail-args';
import {
  createTailClient,
  knowsRegion,
  NO_REGION_MESSAGE,
  readsTimestampOnClient,
} from '../tail/tail-client';
import { type ReplaySummary, replayFailed } from './replay-failed';

export const REPLAY_USAGE = `Usage: npm run replay-failed -- --stream FAILED_STREAM --since TIME [options]
Re-validates each event of a failed-events stream with the current configuration and writes those
that now pass to the main stream (idempotent by event_id), then prints what still fails and why.

  --stream NAME          the failed-events stream (e.g. events-failed)
  --since TIME           failure records from this time on: 30m, 2h, 1d or an ISO-8601 time
  --dry-run              validate and count, write nothing
  --config FILE          the collector's configuration document (default: COLLECTOR_CONFIG or
                         COLLECTOR_CONFIG_FILE, else local mode's: STREAM_NAME, TRACKING_PLAN_FILE, ...)
  --dedup-table NAME     the dedup table (DedupTableName output; default: DEDUP_TABLE_NAME): drop events
                         of dedup sources already marked in the main stream, mark what is written
  --dynamodb-endpoint URL  a DynamoDB-compatible endpoint (dynalite; default: DYNAMODB_ENDPOINT)
  --hash-key-secret ARN  the deployment's hash key secret (HashKeySecretArn output; default:
                         FIELD_HASH_KEY_SECRET_ARN), for keyed hash rules on records written before
                         the source had them; local mode (no --config, or an --endpoint) the dev key
${CONNECTION_USAGE}
Local mode (npm start): --endpoint http://127.0.0.1:4567 --stream events-failed.
Exit status: 0 when every replayable event was written or is still refused, 1 when the main stream
did not take some (run it again), 2 on bad usage (a missing flag, or neither --endpoint nor an AWS
region).
`;

/** Bad usage: the message says what to change. */
export class ReplayArgsError extends Error {
  override readonly name = 'ReplayArgsError';
}

/**
 * The configuration to validate with: `--config`, the Lambda's own variables, or local mode's.
 * Write keys play no part in a replay, so a key-free document (the one `cdk deploy` takes) is fine.
 */
function configOf(file: string | undefined, env: NodeJS.ProcessEnv): RuntimeConfig {
  if (file !== undefined)
    return readRuntimeConfig({ COLLECTOR_CONFIG_FILE: file }, { writeKeysFromSecret: true });
  if (env.COLLECTOR_CONFIG || env.COLLECTOR_CONFIG_FILE)
    return readRuntimeConfig(env, { writeKeysFromSecret: true });
  return localRuntimeConfig(localModeSettings(env, []));
}

/** One line of progress: counts so far. */
export function formatProgress(summary: ReplaySummary): string {
  const failing = Object.values(summary.stillFailing).reduce((sum, count) => sum + count, 0);
  return `replay-failed: read ${summary.read}, replayed ${summary.replayed}, already there ${summary.alreadyThere}, filtered ${summary.filtered}, still failing ${failing}`;
}

/** The end-of-run summary: the counts, then each reason still failing with its count. */
export function formatSummary(summary: ReplaySummary, dryRun: boolean): string {
  const reasons = Object.entries(summary.stillFailing).sort(([, a], [, b]) => b - a);
  return [
    `${formatProgress(summary)}${dryRun ? ' (dry run: nothing written)' : ''}`,
    ...(reasons.length === 0
      ? []
      : ['Still failing:', ...reasons.map(([reason, count]) => `  ${count} × ${reason}`)]),
  ].join('\n');
}

/** The flags it reads. */
const REPLAY_OPTIONS = {
  stream: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean' },
  config: { type: 'string' },
  'dedup-table': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'hash-key-secret': { type: 'string' },
  ...CONNECTION_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

/** The dedup table's seen store of `--dedup-table` (or `DEDUP_TABLE_NAME`), when one is named. */
function seenStoreOption(
  values: {
    readonly 'dedup-table'?: string;
    readonly 'dynamodb-endpoint'?: string;
    readonly region?: string;
  },
  env: NodeJS.ProcessEnv,
) {
  const seenStore = createDynamoDbSeenStore({
    DEDUP_TABLE_NAME: values['dedup-table'] ?? env.DEDUP_TABLE_NAME,
    DYNAMODB_ENDPOINT: values['dynamodb-endpoint'] ?? env.DYNAMODB_ENDPOINT,
    AWS_REGION: values.region ?? env.AWS_REGION,
  });
  return seenStore === undefined ? {} : { seenStore };
}

/**
 * The hash key replay applies keyed `hash` rules with (to records written before their source had
 * them; records with `redaction.applied` never get the rules again): the deployed key from
 * `--hash-key-secret` or `FIELD_HASH_KEY_SECRET_ARN`, so a replayed value hashes as the collector
 * hashes it; local mode's dev key when the configuration is local mode's or the stream an emulator.
 * A configuration with keyed rules replayed against AWS without the secret is refused up front:
 * a replay must never write values hashed with a public key.
 */
async function hashKeyOption(
  values: { readonly 'hash-key-secret'?: string; readonly config?: string },
  config: RuntimeConfig,
  connection: StreamConnection,
  env: NodeJS.ProcessEnv,
): Promise<{ hashKey?: FieldHashKey }> {
  const secretId = values['hash-key-secret'] ?? (env.FIELD_HASH_KEY_SECRET_ARN || undefined);
  if (secretId !== undefined) {
    // The secret is in the collector's account: the profile's credentials, never the consumer role.
    const { region, profile } = connection;
    return {
      hashKey: await readHashKeySecret(
        {
          secretId,
          ...(region === undefined ? {} : { region }),
          ...(profile === undefined ? {} : { profile }),
        },
        env,
      ),
    };
  }
  const localConfig = values.config === undefined && !env.COLLECTOR_CONFIG && !env.COLLECTOR_CONFIG_FILE;
  if (localConfig || connection.endpoint !== undefined) return { hashKey: LOCAL_DEV_HASH_KEY };
  const hashing = [
    ...config.sources
      .filter((source) => needsHashKey(source.pipeline.redact))
      .map((source) => `source "${source.id}"`),
    ...config.destinations
      .filter((destination) => needsHashKey(destination.redact))
      .map((destination) => `destination "${destination.id}"`),
  ];
  if (hashing.length > 0) {
    throw new ReplayArgsError(
      `${hashing.join(', ')} hash with the deployment's key: give --hash-key-secret <HashKeySecretArn output> (or FIELD_HASH_KEY_SECRET_ARN)`,
    );
  }
  return {};
}

/** Runs `npm run replay-failed` with these arguments; resolves to the exit status. */
export async function runReplayCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: { log(line: string): void; progress(line: string): void },
): Promise<number> {
  const values = parseFlags(
    argv,
    REPLAY_OPTIONS,
    (message, cause) => new ReplayArgsError(message, { cause }),
  );
  if (values.help) {
    out.log(REPLAY_USAGE);
    return 0;
  }
  if (!values.stream) throw new ReplayArgsError('--stream NAME is required (the failed-events stream)');
  if (!values.since) throw new ReplayArgsError('--since TIME is required (e.g. --since 1h)');
  let since: Date;
  try {
    since = parseSince(values.since, new Date());
  } catch (error) {
    throw new ReplayArgsError((error as Error).message);
  }
  const connection = streamConnection(values.stream, values, env, (message) => new ReplayArgsError(message));
  const config = configOf(values.config, env);
  const hashKey = await hashKeyOption(values, config, connection, env);
  const client = createTailClient(connection);
  if (!(await knowsRegion(client))) {
    client.destroy();
    throw new ReplayArgsError(NO_REGION_MESSAGE);
  }
  try {
    const destination = config.destinations.find((d) => d.failedStreamName === values.stream);
    const writer = new KinesisRecordWriter({
      client,
      streamName: destination?.streamName ?? '',
      backoff: config.delivery,
    });
    const summary = await replayFailed({
      client,
      failedStreamName: values.stream,
      config,
      since,
      writer,
      dryRun: values['dry-run'] === true,
      ...seenStoreOption(values, env),
      ...hashKey,
      timestampOnClient: readsTimestampOnClient(connection),
      onProgress: (progress) => out.progress(formatProgress(progress)),
    });
    out.log(formatSummary(summary, values['dry-run'] === true));
    return 0;
  } catch (error) {
    out.log(`replay-failed: ${(error as Error).message}`);
    return 1;
  } finally {
    client.destroy();
  }
}
