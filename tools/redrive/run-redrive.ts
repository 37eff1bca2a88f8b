import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parseRuntimeConfig, type RuntimeDestination } from '../../lambda/config/runtime-config';
import { failedStreamNameOf } from '../../lambda/contract/failed-stream-name';
import { createDynamoDbSeenStore } from '../../lambda/delivery/dynamodb-seen-store';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { failedSpillDestinationId } from '../../lambda/events/failure-record';
import { FileSpillSource } from './file-spill-source';
import { type RedriveSummary, redrive, type SpillSource } from './spill-redrive';
import { SqsSpillSource } from './sqs-spill-source';

export const REDRIVE_USAGE = `usage: npm run redrive -- (--queue-url URL | --spill-dir DIR) (--stream NAME | --config FILE)
  --queue-url URL          the spill queue (the collector stack's SpillQueueUrl output)
  --spill-dir DIR          local mode's spill directory (SPILL_DIR)
  --stream NAME            write every spilled event to this stream (spilled failure records: to NAME-failed)
  --config FILE            a collector configuration document: each event goes to its destination's stream
  --region REGION          AWS region (default: AWS_REGION, else us-east-1)
  --endpoint URL           a Kinesis-compatible endpoint (the local emulator, http://127.0.0.1:4567);
                           with --config, for every destination without an endpoint of its own (as
                           npm start runs it). --kinesis-endpoint URL is the same flag (its older name)
  --sqs-endpoint URL       an SQS-compatible endpoint (tests)
  --batch N                spilled messages per batch (default 100)
  --dedup-table NAME       the dedup table (the collector stack's DedupTableName output; default:
                           DEDUP_TABLE_NAME): drop spilled events already marked in their stream
  --dynamodb-endpoint URL  a DynamoDB-compatible endpoint (local mode's dynalite; default: DYNAMODB_ENDPOINT)`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'queue-url': { type: 'string' },
      'spill-dir': { type: 'string' },
      stream: { type: 'string' },
      config: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'kinesis-endpoint': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      batch: { type: 'string' },
      'dedup-table': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new UsageError('');
  if ((values['queue-url'] === undefined) === (values['spill-dir'] === undefined)) {
    throw new UsageError('give --queue-url or --spill-dir (one of them)');
  }
  if ((values.stream === undefined) === (values.config === undefined)) {
    throw new UsageError('give --stream or --config (one of them)');
  }
  // `--endpoint` as in tail, live and check-destination; `--kinesis-endpoint`, its older name, still works.
  const kinesisEndpoint = values.endpoint ?? values['kinesis-endpoint'];
  if (
    values.endpoint !== undefined &&
    values['kinesis-endpoint'] !== undefined &&
    values.endpoint !== values['kinesis-endpoint']
  ) {
    throw new UsageError('--endpoint and --kinesis-endpoint name the same endpoint: give one of them');
  }
  const batch = Number(values.batch ?? '100');
  if (!Number.isInteger(batch) || batch < 1 || batch > 500) throw new UsageError('--batch must be 1 to 500');
  return {
    ...values,
    batch,
    kinesisEndpoint,
    region: values.region ?? env.AWS_REGION ?? 'us-east-1',
    dedupTable: values['dedup-table'] ?? (env.DEDUP_TABLE_NAME || undefined),
    dynamodbEndpoint: values['dynamodb-endpoint'] ?? (env.DYNAMODB_ENDPOINT || undefined),
  };
}

type Options = ReturnType<typeof readOptions>;

/** One writer per destination id: from the configuration document, or the one `--stream` for all. */
function writers(options: Options): (destinationId: string) => RecordWriter | undefined {
  const backoff = { baseDelayMs: 50, maxDelayMs: 1000 };
  const writerOf = (destination: RuntimeDestination) =>
    new KinesisRecordWriter({
      client: createKinesisClient(destination),
      streamName: destination.streamName,
      backoff,
    });
  const endpoint = options.kinesisEndpoint;
  if (options.config !== undefined) {
    // Write keys play no part in a redrive: a key-free document (the one cdk deploy takes) is fine.
    const config = parseRuntimeConfig(JSON.parse(readFileSync(options.config, 'utf8')), 'configuration', {
      writeKeysFromSecret: true,
    });
    // As local mode runs the document: destinations without an endpoint write to the emulator.
    const local = (destination: RuntimeDestination): RuntimeDestination =>
      endpoint === undefined || destination.endpoint !== undefined
        ? destination
        : {
            ...destination,
            endpoint,
            roleArn: undefined,
            externalId: undefined,
            stsEndpoint: undefined,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          };
    // Spilled failure records (`<id>#failed`) go back to their destination's failed-events stream.
    const byId = new Map(
      config.destinations.flatMap((destination) => [
        [destination.id, writerOf(local(destination))] as const,
        ...(destination.failedStreamName === undefined
          ? []
          : [
              [
                failedSpillDestinationId(destination.id),
                writerOf(local({ ...destination, streamName: destination.failedStreamName })),
              ] as const,
            ]),
      ]),
    );
    return (destinationId) => byId.get(destinationId);
  }
  const streamWriter = (streamName: string) =>
    writerOf({
      id: 'redrive',
      streamName,
      region: options.region,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(endpoint?.startsWith('http://')
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    } as RuntimeDestination);
  const writer = streamWriter(options.stream as string);
  // Spilled failure records never go to the main stream: to `<stream>-failed`, local mode's default.
  const failedWriter = streamWriter(failedStreamNameOf(options.stream as string));
  return (destinationId) => (destinationId.endsWith('#failed') ? failedWriter : writer);
}

function source(options: Options): SpillSource {
  if (options['spill-dir'] !== undefined) return new FileSpillSource(options['spill-dir']);
  const endpoint = options['sqs-endpoint'];
  const client = new SQSClient({
    region: options.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(endpoint?.startsWith('http://')
      ? {
          requestHandler: new NodeHttpHandler(),
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  return new SqsSpillSource({
    client,
    queueUrl: options['queue-url'] as string,
    batchSize: options.batch,
    ...(endpoint?.startsWith('http://') ? { waitTimeSeconds: 0 } : {}),
  });
}

/** A one-line progress bar on a terminal; nothing when the output is a pipe or a file. */
function progressBar(total: number | undefined) {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  const width = 30;
  return {
    update: (summary: RedriveSummary) => {
      const done = summary.read;
      const fraction = total ? Math.min(1, done / total) : 0;
      const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
      process.stderr.write(
        `\r[${bar}] ${done}${total === undefined ? '' : `/${total}`}  moved ${summary.moved}  duplicates ${summary.duplicates}  failed ${summary.failed}`,
      );
    },
    end: () => process.stderr.write('\n'),
  };
}

/**
 * `npm run redrive`: moves spilled events (the SQS spill queue, or local mode's spill directory)
 * back into their Kinesis streams and prints a summary (`REDRIVE_SUMMARY {json}` last). Returns the
 * exit code: 0 when every readable spilled event was moved (or skipped as a duplicate), 1 when some
 * are left, 2 on bad usage (0 for `--help`).
 */
export async function runRedrive(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: Options;
  try {
    options = readOptions(argv, env);
  } catch (error) {
    const message = (error as Error).message;
    console.error(message === '' ? REDRIVE_USAGE : `redrive: ${message}\n${REDRIVE_USAGE}`);
    return message === '' ? 0 : 2;
  }
  const spill = source(options);
  const bar = progressBar(await spill.size().catch(() => undefined));
  const seenStore = createDynamoDbSeenStore({
    DEDUP_TABLE_NAME: options.dedupTable,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    AWS_REGION: options.region,
  });
  let seenStoreErrors = 0;
  const summary = await redrive({
    source: spill,
    writerFor: writers(options),
    onProgress: bar.update,
    ...(seenStore === undefined ? {} : { seenStore, onSeenStoreError: () => seenStoreErrors++ }),
  });
  bar.end();
  console.log(
    `redrive: read ${summary.read}, moved ${summary.moved}, duplicates skipped ${summary.duplicates}, failed ${summary.failed} (left in the spill store), unreadable ${summary.unreadable}`,
  );
  if (seenStoreErrors > 0) {
    console.error(
      `redrive: the dedup table failed ${seenStoreErrors} times; those events were written without checking or marking (fail open)`,
    );
  }
  console.log(`REDRIVE_SUMMARY ${JSON.stringify(summary)}`);
  return summary.failed > 0 || summary.unreadable > 0 ? 1 : 0;
}
