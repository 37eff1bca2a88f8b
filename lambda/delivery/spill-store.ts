/**
 * The spill store port: where records go when a destination still refuses them after the retry
 * budget, so an event the client sent is either in the stream or here, never nowhere. A redrive
 * (`npm run redrive`) later moves them back into the stream.
 */

/** One record that could not be written to its stream, as kept in the spill store. */
export interface SpilledRecord {
  /** The destination (stream) the record belongs to; the redrive writes it back there. */
  readonly destinationId: string;
  readonly partitionKey: string;
  /** The serialised envelope, exactly the bytes that were bound for the stream. */
  readonly data: Uint8Array;
  /** The envelope's `event_id`: the redrive skips an event it already moved in the same run. */
  readonly eventId: string;
  /** When the stream gave up on it (ISO 8601). */
  readonly failedAt: string;
  /** Kinesis' last error code for it (`ProvisionedThroughputExceededException`, ...). */
  readonly errorCode: string;
  /** Set when its source deduplicates: redrive checks and turns its mark. @default not deduplicated */
  readonly seenMark?: SpilledMark;
}

/** A spilled record's mark: its key (with `destinationId`) and when the mark expires (epoch seconds). */
export interface SpilledMark {
  readonly sourceId: string;
  readonly messageId: string;
  readonly expiresAt: number;
}

/** A spilled record's wire form (an SQS message body, a line of a spill file). */
export interface SpillMessage {
  readonly destinationId: string;
  readonly partitionKey: string;
  /** `data`, base64. */
  readonly data: string;
  readonly eventId: string;
  readonly failedAt: string;
  readonly errorCode: string;
  readonly seenMark?: SpilledMark;
}

/** A record the store could not keep either, by its index in the batch it was given. */
export interface SpillFailure {
  readonly index: number;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** What happened to a batch: every record not listed in `failed` is durably in the store. */
export interface SpillReport {
  readonly failed: readonly SpillFailure[];
}

/** Keeps records durably until a redrive moves them back into their stream. */
export interface SpillStore {
  /** Stores `records`, giving up on what is not stored by `deadline` (epoch ms). */
  spill(records: readonly SpilledRecord[], deadline: number): Promise<SpillReport>;
}

/** A spilled record as its wire form. */
export function toSpillMessage(record: SpilledRecord): SpillMessage {
  return {
    destinationId: record.destinationId,
    partitionKey: record.partitionKey,
    data: Buffer.from(record.data).toString('base64'),
    eventId: record.eventId,
    failedAt: record.failedAt,
    errorCode: record.errorCode,
    ...(record.seenMark === undefined ? {} : { seenMark: record.seenMark }),
  };
}

/** A record as the body of its spill message (an SQS message, a line of a spill file): {@link fromSpillMessage} reads it back. */
export function spillMessageBody(record: SpilledRecord): string {
  return JSON.stringify(toSpillMessage(record));
}

/** A spill message cannot be read back (not JSON, a field missing or of the wrong type). */
export class InvalidSpillMessageError extends Error {
  override readonly name = 'InvalidSpillMessageError';
}

/** Reads a spill message's body back into a record; throws {@link InvalidSpillMessageError}. */
export function fromSpillMessage(body: string): SpilledRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidSpillMessageError('spill message is not JSON', { cause: error });
  }
  const message = parsed as Partial<Record<keyof SpillMessage, unknown>> | null;
  const fields = ['destinationId', 'partitionKey', 'data', 'eventId', 'failedAt', 'errorCode'] as const;
  for (const field of fields) {
    if (typeof message?.[field] !== 'string') {
      throw new InvalidSpillMessageError(`spill message has no string "${field}"`);
    }
  }
  const valid = message as SpillMessage;
  const mark = valid.seenMark as Partial<SpilledMark> | undefined;
  const validMark =
    typeof mark?.sourceId === 'string' &&
    typeof mark.messageId === 'string' &&
    typeof mark.expiresAt === 'number';
  return {
    destinationId: valid.destinationId,
    partitionKey: valid.partitionKey,
    data: Buffer.from(valid.data, 'base64'),
    eventId: valid.eventId,
    failedAt: valid.failedAt,
    errorCode: valid.errorCode,
    ...(validMark ? { seenMark: mark as SpilledMark } : {}),
  };
}
