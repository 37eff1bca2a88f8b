import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { parseJsonBody } from '../lambda/http/request-body';
import { resolveRoute } from '../lambda/http/routes';
import type { FailureRecordLike, TailEvent } from '../tools/tail/tail-event';

/** What happened to one event, as the live events page shows it. */
export type DebugStatus =
  /** Read back from the stream. */
  | 'accepted'
  /** Refused by the collector (invalid, unauthorised, too large...), with the reason. */
  | 'rejected'
  /** Valid but not written (the collector answered 429/503): the SDK sends it again. */
  | 'undelivered'
  /**
   * Refused, and kept in the failed-events stream (read back from it) with its reason: the
   * `rejected` entry of the same event says what the client was told; this one that it was kept.
   */
  | 'failed'
  /** In the stream, but not an envelope the page can show. */
  | 'unreadable';

/** One line of the live events page. Everything in it has been through `redact`. */
export interface DebugEntry {
  readonly id: number;
  /** When the collector saw it (ISO-8601). */
  readonly at: string;
  readonly status: DebugStatus;
  readonly reason?: string;
  /** The source the event came from, when the record says (failure records' `source_id`). */
  readonly source?: string;
  /**
   * The envelope (accepted), the message as sent (rejected / undelivered), or the event as the
   * failure record holds it (failed: its `payload`, or the raw body text of an unparseable request).
   */
  readonly json: unknown;
  /** Where an accepted event landed. */
  readonly shard?: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
  };
  /** The request that carried a refused event. */
  readonly request?: { readonly method: string; readonly path: string; readonly statusCode: number };
}

export interface DebugFeedOptions {
  /** How many entries are kept (oldest dropped first). @default 200 */
  readonly capacity?: number;
  /** Values never shown (the write keys): replaced wherever they occur. */
  readonly secrets: readonly string[];
  readonly now?: () => Date;
}

const REDACTED = '[redacted]';
/** Fields whose values are credentials, whatever they hold. */
const SECRET_FIELD = /^(write_?key|authorization|password|secret|api_?key)$/i;

/** A deep copy of `value` with secret fields and every occurrence of a secret replaced. */
export function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    return secrets.reduce(
      (text, secret) => (secret === '' ? text : text.split(secret).join(REDACTED)),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        redact(key, secrets) as string,
        SECRET_FIELD.test(key) ? REDACTED : redact(item, secrets),
      ]),
    );
  }
  return value;
}

/** A failure record's reason, event and request. */
function failureOf(record: FailureRecordLike): Pick<DebugEntry, 'reason' | 'json' | 'request' | 'source'> {
  const request = record.request as { path?: unknown } | undefined;
  return {
    reason: record.failure.reason,
    json: 'payload' in record ? record.payload : (record.raw ?? null),
    ...(typeof record.source_id === 'string' ? { source: record.source_id } : {}),
    ...(typeof request?.path === 'string'
      ? { request: { method: 'POST', path: request.path, statusCode: 0 } }
      : {}),
  };
}

interface ResponseBody {
  readonly error?: unknown;
  readonly rejected?: unknown;
}

interface Rejected {
  readonly index: number;
  readonly reason: string;
}

function responseBodyOf(result: APIGatewayProxyResultV2): { statusCode: number; answer: ResponseBody } {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return { statusCode: 200, answer: {} };
  }
  try {
    const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : result.body;
    const parsed: unknown = JSON.parse(body ?? '{}');
    return {
      statusCode: result.statusCode ?? 200,
      answer: typeof parsed === 'object' && parsed !== null ? parsed : {},
    };
  } catch {
    return { statusCode: result.statusCode ?? 200, answer: {} };
  }
}

const rejectedList = (answer: ResponseBody): Rejected[] =>
  Array.isArray(answer.rejected)
    ? answer.rejected.filter(
        (item): item is Rejected => typeof item?.index === 'number' && typeof item?.reason === 'string',
      )
    : [];

/** The messages of a request body: a batch's `batch`, or the body itself. */
function messagesOf(event: APIGatewayProxyEventV2): { messages: unknown[] } | { unparsed: string } {
  try {
    const body = parseJsonBody(
      {
        ...(event.body === undefined ? {} : { body: event.body }),
        isBase64Encoded: event.isBase64Encoded,
        ...(event.headers['content-encoding'] === undefined
          ? {}
          : { contentEncoding: event.headers['content-encoding'] }),
      },
      10 * 1024 * 1024,
    );
    return { messages: Array.isArray(body.batch) ? body.batch : [body] };
  } catch (error) {
    return { unparsed: (error as Error).message };
  }
}

/**
 * The live events page's memory: the last `capacity` entries, in order, and whoever listens for
 * new ones. Accepted events come from the stream (`addFromStream`); refused and undelivered ones
 * from the collector's answers (`recordExchange`). Write keys never get in.
 */
export class DebugFeed {
  private readonly entries: DebugEntry[] = [];
  private readonly listeners = new Set<(entry: DebugEntry) => void>();
  private nextId = 1;
  private readonly capacity: number;
  private readonly now: () => Date;

  constructor(private readonly options: DebugFeedOptions) {
    this.capacity = options.capacity ?? 200;
    this.now = options.now ?? (() => new Date());
  }

  /** The entries kept, oldest first. */
  snapshot(): readonly DebugEntry[] {
    return [...this.entries];
  }

  /** Calls `listener` with each new entry until the returned function is called. */
  subscribe(listener: (entry: DebugEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events read back from the stream, and failure records read back from the failed-events stream. */
  readonly addFromStream = (events: readonly TailEvent[]): void => {
    for (const event of events) {
      const { shardId, partitionKey, sequenceNumber } = event.meta;
      if (event.kind === 'failure') {
        this.add({
          status: 'failed',
          ...failureOf(event.record),
          shard: { shardId, partitionKey, sequenceNumber },
        });
        continue;
      }
      this.add({
        status: event.kind === 'envelope' ? 'accepted' : 'unreadable',
        ...(event.kind === 'unreadable' ? { reason: event.reason } : {}),
        json: event.kind === 'envelope' ? event.envelope : null,
        shard: { shardId, partitionKey, sequenceNumber },
      });
    }
  };

  /**
   * A request the collector answered: each refused event with its reason; each valid event not
   * written (429/503) as undelivered; a request refused as a whole (401, 403, 413, bad JSON) as one
   * entry. Not event requests (preflights, `/v1/m`, `/sourceConfig/`) are ignored.
   */
  readonly recordExchange = (event: APIGatewayProxyEventV2, result: APIGatewayProxyResultV2): void => {
    const method = event.requestContext.http.method;
    const route = resolveRoute(event.rawPath);
    if (method !== 'POST' || (route?.kind !== 'event' && route?.kind !== 'batch')) return;
    const { statusCode, answer } = responseBodyOf(result);
    const request = { method, path: event.rawPath, statusCode };
    const body = messagesOf(event);
    const rejected = rejectedList(answer);
    const error = typeof answer.error === 'string' ? answer.error : `HTTP ${statusCode}`;
    if ('unparsed' in body) {
      if (statusCode >= 400) this.add({ status: 'rejected', reason: error, json: null, request });
      return;
    }
    for (const item of rejected) {
      this.add({ status: 'rejected', reason: item.reason, json: body.messages[item.index] ?? null, request });
    }
    if (statusCode < 400) return;
    const refusedIndexes = new Set(rejected.map((item) => item.index));
    const rest = body.messages.filter((_, index) => !refusedIndexes.has(index));
    if (statusCode === 429 || statusCode === 503) {
      for (const message of rest) this.add({ status: 'undelivered', reason: error, json: message, request });
    } else if (rejected.length === 0) {
      const json = body.messages.length === 1 ? body.messages[0] : { batch: body.messages };
      this.add({ status: 'rejected', reason: error, json, request });
    }
  };

  private add(entry: Omit<DebugEntry, 'id' | 'at'>): void {
    const full = redact(
      { id: this.nextId++, at: this.now().toISOString(), ...entry },
      this.options.secrets,
    ) as DebugEntry;
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const listener of this.listeners) listener(full);
  }
}
