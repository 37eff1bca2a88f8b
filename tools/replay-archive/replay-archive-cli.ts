import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type RuntimeConfig, readRuntimeConfig } from '../../lambda/config/runtime-config';
import { withDedup } from '../../lambda/delivery/deduplicating-record-writer';
import { createDynamoDbSeenStore } from '../../lambda/delivery/dynamodb-seen-store';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { FixedHashKey, type HashKeySource } from '../../lambda/delivery/hash-key';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { SuppressionCheck } from '../../lambda/delivery/suppression-check';
import { emulatorDynamoDbClient } from '../../local/seen-table';
import { readHashKeySecret } from '../hash-key/read-hash-key-secret';
import { createTailClient } from '../tail/tail-client';
import { type ArchiveSource, FolderArchiveSource, S3ArchiveSource } from './archive-source';
import { EventPacer } from './event-pacer';
import { type ReplayArchiveSummary, replayArchive } from './replay-archive';
import {
  DEFAULT_RATE_PER_SHARD,
  parseReplayArchiveArgs,
  REPLAY_ARCHIVE_USAGE,
  type ReplayArchiveArgs,
} from './replay-archive-args';
import { CheckpointMismatchError } from './replay-checkpoint';

/** Where the CLI prints: the summary and messages (stdout), the progress (stderr). */
export interface ReplayArchiveOutput {
  log(line: string): void;
  warn(line: string): void;
  progress(summary: Readonly<ReplayArchiveSummary>): void;
}

/** The warning `--ignore-suppression` prints before anything is written. */
export const IGNORE_SUPPRESSION_WARNING =
  'WARNING: --ignore-suppression: the suppression list is not read; events of suppressed or erased users are written back too. Stop now (Ctrl-C) unless no user of these sources may be suppressed.';

/** The counts in one line. */
export function formatReplayCounts(summary: Readonly<ReplayArchiveSummary>): string {
  return `read ${summary.read}, written ${summary.written}, skipped ${summary.skipped}, suppressed ${summary.suppressed}, failed ${summary.failed}`;
}

/** A progress bar of the files read, and the counts: what a terminal shows on one line. */
export function formatProgressBar(summary: Readonly<ReplayArchiveSummary>, width = 24): string {
  const share = summary.files === 0 ? 1 : summary.filesDone / summary.files;
  const filled = Math.round(share * width);
  return `replay [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${summary.filesDone}/${summary.files} files, ${formatReplayCounts(summary)}`;
}

function archiveSourceOf(
  args: ReplayArchiveArgs,
  region: string | undefined,
): { source: ArchiveSource; close(): void } {
  if (args.archive.kind === 'folder')
    return { source: new FolderArchiveSource(args.archive.dir), close: () => undefined };
  const { endpoint, bucket, prefix } = args.archive;
  const client = new S3Client({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined
      ? {}
      : {
          endpoint,
          forcePathStyle: true,
          ...(endpoint.startsWith('http://')
            ? {
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
                requestHandler: new NodeHttpHandler(),
              }
            : {}),
        }),
  });
  return { source: new S3ArchiveSource(client, bucket, prefix), close: () => client.destroy() };
}

function dynamoDbClientOf(endpoint: string | undefined, region: string | undefined): DynamoDBClient {
  if (endpoint?.startsWith('http://')) return emulatorDynamoDbClient(endpoint, region ?? 'us-east-1');
  return new DynamoDBClient({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

/** The deployment's hash key from its secret (the operator's credentials), or local mode's dev key. */
function hashKeyOf(keySecretId: string | undefined, region: string | undefined): HashKeySource {
  if (keySecretId === undefined) return new FixedHashKey();
  return {
    key: () =>
      readHashKeySecret({ secretId: keySecretId, ...(region === undefined ? {} : { region }) }, process.env),
  };
}

function configOf(file: string | undefined, env: NodeJS.ProcessEnv): RuntimeConfig | undefined {
  if (file !== undefined)
    return readRuntimeConfig({ COLLECTOR_CONFIG_FILE: file }, { writeKeysFromSecret: true });
  if (env.COLLECTOR_CONFIG || env.COLLECTOR_CONFIG_FILE)
    return readRuntimeConfig(env, { writeKeysFromSecret: true });
  return undefined;
}

async function openShards(client: KinesisClient, streamName: string): Promise<number> {
  const { StreamDescriptionSummary } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  return Math.max(1, StreamDescriptionSummary?.OpenShardCount ?? 1);
}

/**
 * Runs `npm run replay` with these arguments; resolves to the exit status (0 everything written or
 * skipped, 1 some events not written, 2 bad usage: `ReplayArchiveArgsError` is thrown for it).
 * `signal` (Ctrl-C) stops the run after the batch in flight, its checkpoint saved.
 */
export async function runReplayArchiveCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: ReplayArchiveOutput,
  signal?: AbortSignal,
): Promise<number> {
  const args = parseReplayArchiveArgs(argv, env);
  if (args === undefined) {
    out.log(REPLAY_ARCHIVE_USAGE);
    return 0;
  }
  const config = configOf(args.configFile, env);
  const sources = new Map((config?.sources ?? []).map((source) => [source.id, source]));
  const { region } = args.target;
  const archive = archiveSourceOf(args, region);
  const kinesis = createTailClient(args.target);
  const closers: (() => void)[] = [archive.close, () => kinesis.destroy()];
  try {
    let suppression: SuppressionCheck | undefined;
    if (args.suppression.ignore) {
      out.warn(IGNORE_SUPPRESSION_WARNING);
    } else {
      const client = dynamoDbClientOf(args.suppression.endpoint, region);
      closers.push(() => client.destroy());
      suppression = new SuppressionCheck({
        list: new DynamoDbSuppressionList({ client, tableName: args.suppression.tableName }),
        key: hashKeyOf(args.suppression.keySecretId, region),
      });
    }
    const streamName = args.target.streamName;
    const kinesisWriter = new KinesisRecordWriter({
      client: kinesis,
      streamName,
      backoff: config?.delivery ?? { baseDelayMs: 100, maxDelayMs: 2_000 },
    });
    const seenStore =
      args.dedup === undefined
        ? undefined
        : createDynamoDbSeenStore({
            DEDUP_TABLE_NAME: args.dedup.tableName,
            DYNAMODB_ENDPOINT: args.dedup.endpoint,
            AWS_REGION: region,
          });
    const destinationId = config?.destinations.find((d) => d.streamName === streamName)?.id ?? streamName;
    const writer = withDedup(kinesisWriter, destinationId, seenStore, { dropWhen: 'stream' });
    const rate = args.dryRun
      ? undefined
      : (args.rate ?? DEFAULT_RATE_PER_SHARD * (await openShards(kinesis, streamName)));
    out.log(
      `replay: ${archive.source.description}, received ${args.from.toISOString()} to ${args.to.toISOString()} -> stream ${streamName}${rate === undefined ? '' : ` at up to ${rate} events/s`}${args.dryRun ? ' (dry run: nothing is written)' : ''}`,
    );
    const summary = await replayArchive({
      source: archive.source,
      from: args.from,
      to: args.to,
      ...(args.sourceIds === undefined ? {} : { sourceIds: args.sourceIds }),
      ...(args.types === undefined ? {} : { types: args.types }),
      targetName: streamName,
      writer,
      dryRun: args.dryRun,
      suppression,
      ...(rate === undefined ? {} : { pacer: new EventPacer(rate) }),
      ...(args.checkpoint === undefined ? {} : { checkpointPath: args.checkpoint }),
      partitionKeyOf: (sourceId) =>
        (sourceId === undefined ? undefined : sources.get(sourceId)?.partitionKey) ?? 'user',
      ...(args.dedup === undefined
        ? {}
        : {
            dedupWindowSeconds: (sourceId: string | undefined) =>
              ((sourceId === undefined ? undefined : sources.get(sourceId)?.dedup?.windowHours) ?? 24) * 3600,
          }),
      ...(signal === undefined ? {} : { signal }),
      onProgress: (progress) => out.progress(progress),
    });
    const resume =
      args.checkpoint === undefined
        ? 'run it again (with --checkpoint FILE to resume)'
        : `run the same command again: it resumes from ${args.checkpoint}`;
    out.log(
      `replay: ${formatReplayCounts(summary)}${args.dryRun ? ' (dry run: nothing written)' : ''}${summary.interrupted ? ` - stopped before the end: ${resume}` : ''}`,
    );
    return summary.failed > 0 || summary.interrupted ? 1 : 0;
  } catch (error) {
    if (error instanceof CheckpointMismatchError) throw error;
    out.log(`replay: ${(error as Error).message}`);
    return 1;
  } finally {
    for (const close of closers) close();
  }
}
