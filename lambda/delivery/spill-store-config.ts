import { loadLazyModule } from '../lazy/load-lazy-module';
import { FileSpillStore } from './file-spill-store';
import type { SpilledRecord, SpillReport, SpillStore } from './spill-store';

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
 * The SQS spill store, built on the first spill: the SQS client (lazy module `sqs-spill-store`)
 * is loaded only by a container whose stream refused records past the retry budget, which most
 * never see. Loading it takes a few milliseconds out of the spill's time reserve
 * (`SpillingRecordWriter`'s `spillReserveMs`), once per container.
 */
class LazySqsSpillStore implements SpillStore {
  private store: SpillStore | undefined;

  constructor(private readonly settings: { queueUrl: string; region?: string; endpoint?: string }) {}

  async spill(records: readonly SpilledRecord[], deadline: number): Promise<SpillReport> {
    this.store ??= loadLazyModule('sqs-spill-store').createSqsSpillStore(this.settings);
    return this.store.spill(records, deadline);
  }
}

/**
 * The spill store the environment asks for: the SQS queue of `SPILL_QUEUE_URL`, or the spill
 * files under `SPILL_DIR`, or none (records that fail after the retry budget are then answered
 * 429/503 and the client sends them again). The settings are checked here, at cold start; the SQS
 * client is built on the first spill, one per container.
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
  return new LazySqsSpillStore({
    queueUrl,
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}
