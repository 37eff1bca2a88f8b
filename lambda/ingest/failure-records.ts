import type { RuntimeSource } from '../config/runtime-config';
import type { OutgoingRecord } from '../delivery/record-writer';
import {
  eventFailureRecord,
  type Failure,
  failurePartitionKey,
  type RequestFacts,
  requestFailureRecord,
  serialiseFailureRecord,
} from '../events/failure-record';
import type { FieldHashKey } from '../events/field-rules';
import type { DestinationWriters } from './destination-writers';
import { throttledOnly, type UndeliveredReport, undeliveredOf } from './ingest-outcome';
import type { IngestReceipt, IngestRequest } from './ingest-request';
import type { Prepared } from './prepare-message';

/** What became of the failure record of a request that could not be parsed. */
export type RefusedRequestOutcome =
  /** No destination of the source has a failed-events stream: nothing to keep. */
  | { readonly kind: 'not-kept' }
  /** Durably in every failed-events stream of the source. */
  | { readonly kind: 'kept' }
  /** Not durable in some failed-events stream: the client must send the request again. */
  | {
      readonly kind: 'undelivered';
      readonly undelivered: readonly UndeliveredReport[];
      readonly throttled: boolean;
    };

/** A request that could not be parsed at all, sent with a valid write key. */
export interface RefusedRequest {
  readonly source: RuntimeSource;
  readonly failure: Failure;
  readonly body: Uint8Array;
  readonly request: RequestFacts;
  readonly receivedAt: number;
  readonly deadline: number;
}

const NO_REQUEST_FACTS: RequestFacts = { path: '', contentType: null, contentEncoding: null, bytes: 0 };

/**
 * The failure records of a source's refused messages and unparseable requests (docs/failure-record.schema.json):
 * built with the source's field rules applied, bound for the failed-events stream of each of its
 * destinations that has one.
 */
export class FailureRecords {
  /** @param hashKey the deployment's key for keyed `redact.hash` rules, as `IngestDependencies.hashKey` */
  constructor(
    private readonly writers: DestinationWriters,
    private readonly hashKey: FieldHashKey | undefined,
  ) {}

  /** The failure record of the refused message at `index`, ready for its window. */
  ofMessage(
    refused: Extract<Prepared, { readonly kind: 'rejected' }>,
    message: unknown,
    index: number,
    request: IngestRequest,
    receipt: IngestReceipt,
  ): OutgoingRecord {
    const failure: Failure = { reason: refused.reason, code: refused.code, stage: refused.stage };
    const record = eventFailureRecord(
      {
        failure,
        message,
        index,
        sourceId: request.source.id,
        receivedAtIso: receipt.receivedAtIso as string,
        request: request.request ?? NO_REQUEST_FACTS,
        sentAt: request.sentAt,
      },
      { rules: request.source.pipeline.redact, key: this.hashKey },
    );
    return { data: serialiseFailureRecord(record), partitionKey: failurePartitionKey(message) };
  }

  /**
   * Keeps the body of a request that could not be parsed at all (sent with a valid write key) as
   * one failure record in each failed-events stream of its source, with the same guarantees as
   * events: the caller answers the request's own error only once the record is durable.
   */
  async keepRefusedRequest(refused: RefusedRequest): Promise<RefusedRequestOutcome> {
    const failedDestinations = this.writers.failedDestinationsOf(refused.source);
    if (failedDestinations.length === 0) return { kind: 'not-kept' };
    const record = requestFailureRecord(
      {
        failure: refused.failure,
        body: refused.body,
        sourceId: refused.source.id,
        receivedAtIso: new Date(refused.receivedAt).toISOString(),
        request: refused.request,
      },
      { rules: refused.source.pipeline.redact, key: this.hashKey },
    );
    const outgoing = { data: serialiseFailureRecord(record), partitionKey: failurePartitionKey(undefined) };
    const reports = await this.writers.writeFailed(failedDestinations, [outgoing], refused.deadline);
    const undelivered = undeliveredOf(reports, failedDestinations, true);
    if (undelivered.length === 0) return { kind: 'kept' };
    return { kind: 'undelivered', undelivered, throttled: throttledOnly(undelivered) };
  }
}
