import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FileSpillStore } from './file-spill-store';
import type { SpillStore } from './spill-store';
import { SqsSpillStore } from './sqs-spill-store';

/** The spill store settings are wrong; the message names the variable and what to do. */
export class SpillStoreConfigError extends Error {
  override readonly name = 'SpillStoreConfigError';
}

/** The environment the spill store is configured by (read once, at cold start). */
export interface SpillStoreEnv {
  /** The SQS spill queue (the collector stack sets it). */
  readonly SPILL_QUEUE_URL?: string;
  /** An SQS-compatible endpoint for the queue (tests, emulators); absent: AWS. */
  readonly SPILL_QUEUE_ENDPOINT?: string;
  /** A directory for JSON-lines spill files (local mode). */
  readonly SPILL_DIR?: string;
  readonly AWS_REGION?: string;
}

/**
 * The SQS spill store of `SPILL_QUEUE_URL`. It is part of `index.js`, not a lazy module: the
 * deployed stack always sets `SPILL_QUEUE_URL`, and the first spill comes in an outage, when
 * loading a 321 KB file at a small function's CPU share (90-220 ms on a loaded machine, several
 * times that at 256 MB) would come out of the spill's 1 s time reserve. In `index.js` the SQS
 * client costs 29 KB, which it shares with the Kinesis client's SDK core.
 */
function createSqsSpillStore(settings: { queueUrl: string; region?: string; endpoint?: string }): SpillStore {
  const { endpoint } = settings;
  const client = new SQSClient({
    maxAttempts: 1,
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  return new SqsSpillStore({ client, queueUrl: settings.queueUrl });
}

/**
 * The spill store the environment asks for: the SQS queue of `SPILL_QUEUE_URL`, or the spill
 * files under `SPILL_DIR`, or none (records that fail after the retry budget are then answered
 * 429/503 and the client sends them again). The settings are checked here, at cold start; the SQS
 * client is built here, one per container.
 */
export function createSpillStore(env: SpillStoreEnv): SpillStore | undefined {
  const queueUrl = env.SPILL_QUEUE_URL?.trim();
  const directory = env.SPILL_DIR?.trim();
  if (queueUrl && directory) {
    throw new SpillStoreConfigError('Set SPILL_QUEUE_URL or SPILL_DIR, not both');
  }
  if (directory) return new FileSpillStore(directory);
  if (!queueUrl) return undefined;
  if (!/^https?:\/\//.test(queueUrl)) {
    throw new SpillStoreConfigError(
      `SPILL_QUEUE_URL=${queueUrl} is not a queue URL (https://sqs.<region>...)`,
    );
  }
  const endpoint = env.SPILL_QUEUE_ENDPOINT?.trim() || undefined;
  return createSqsSpillStore({
    queueUrl,
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}
