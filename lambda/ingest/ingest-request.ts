import type { RuntimeSource } from '../config/runtime-config';
import type { Receipt } from '../events/envelope';
import type { RequestFacts } from '../events/failure-record';
import type { RedactionRules } from '../events/field-rules';
import type { EventType, JsonObject } from '../events/segment-event';
import { parseIsoTimestamp } from '../events/timestamps';

/** A request's messages, after routing and authentication. */
export interface IngestRequest {
  readonly source: RuntimeSource;
  readonly messages: readonly unknown[];
  /** Set for single-event endpoints (`/v1/track`): the type every message must have. */
  readonly endpointType?: EventType;
  /** The batch's `sentAt` (or RudderStack's `SentAt` header), for messages without their own. */
  readonly sentAt?: string;
  /** The batch's `context`, merged under each message's own. */
  readonly batchContext?: JsonObject;
  /**
   * Field rules already applied to `messages` (replay of failure records with `redaction.applied`):
   * tracking-plan violations on fields they changed (a hashed `format: email` field) are not held
   * against the event. @default none
   */
  readonly appliedRules?: RedactionRules;
  readonly receivedAt: number;
  readonly sourceIp?: string;
  /** Epoch ms by which delivery must be over, so the answer reaches the client in time. */
  readonly deadline: number;
  /** The HTTP request as failure records describe it. @default path "", sizes unknown */
  readonly request?: RequestFacts;
  /**
   * The caller hands `messages` over: each slot is cleared once its message is prepared, so the
   * parsed events of a large request are freed as their windows are written rather than at the
   * end. @default false: `messages` is left as it is
   */
  readonly releaseMessages?: boolean;
}

/** What the request tells about every message in it, worked out once per request. */
export interface IngestReceipt extends Receipt {
  /** The request's `sentAt` (batch or header), parsed once. */
  readonly sentAtMs?: number;
}

/** The receipt of `request`: its times and source, once for all its messages. */
export function receiptOf(request: IngestRequest): IngestReceipt {
  return {
    receivedAt: request.receivedAt,
    receivedAtIso: new Date(request.receivedAt).toISOString(),
    sentAtMs: request.sentAt === undefined ? undefined : parseIsoTimestamp(request.sentAt),
    sourceId: request.source.id,
    sourceIp: request.sourceIp,
  };
}
