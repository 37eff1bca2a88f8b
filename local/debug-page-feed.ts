import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { RAW_BODY_CAP_BYTES } from '../lambda/events/failure-record';
import { parseJsonBody } from '../lambda/http/request-body';
import { resolveRoute } from '../lambda/http/routes';
import type { FailureRecordLike, TailEvent } from '../tools/tail/tail-event';
import { AS_SENT, type PageView, type PageViewOf } from './debug-page-rules';

/** What happened to one event, as the live events page shows it. */
export type DebugStatus =
  /** Read back from the stream. */
  | 'accepted'
  /** Refused by the collector (invalid, unauthorised, too large...), with the reason. */
  | 'rejected'
  /** Valid but not written (the collector answered 429/503): the SDK sends it again. */
  | 'undelivered'
  /**
   * Events of a request the collector dropped as copies of events already durable (a `dedup`
   * source; the answer's `duplicates`, counted as accepted). One entry per request, with how many in
   * `duplicates`: the answer does not say which of its events they were.
   */
  | 'duplicate'
  /**
   * A record of the failed-events stream that no answer of this page's collector accounts for
   * (`npm run live`, or a refusal by another collector). A refusal this page saw answered stays
   * `rejected`, marked with `failedStream` once its record is read back: one entry per event.
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
   * The envelope (accepted), the message as sent with its source's field rules applied (rejected /
   * undelivered), or the event as the failure record holds it (failed: its `payload`); the raw body
   * text of a request that cannot be parsed, only when its source has no field rules.
   */
  readonly json: unknown;
  /** Why `json` is not shown (field rules: issue 36's "only what is stored"). */
  readonly hidden?: string;
  /**
   * What the request's path says the event is (`track` of `/v1/track`, `batch` of `/v1/batch`): the
   * type of a refused message that names none, or of a body that could not be read.
   */
  readonly type?: string;
  /** Where an accepted event landed. */
  readonly shard?: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
  };
  /** How many events of the request were dropped as duplicates (status `duplicate`). */
  readonly duplicates?: number;
  /** The request that carried a refused event. */
  readonly request?: { readonly method: string; readonly path: string; readonly statusCode: number };
  /** Where the failed-events stream keeps a refused event: it was written there (read back). */
  readonly failedStream?: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
  };
}

export interface DebugFeedOptions {
  /** How many entries are kept (oldest dropped first). @default 200 */
  readonly capacity?: number;
  /** Values never shown (the write keys): replaced wherever they occur. */
  readonly secrets: readonly string[];
  /**
   * How the messages of the collector's answers are shown: under their source's field rules
   * (`pageViewOf`), so the page shows no more than the streams keep. @default - as sent (no rules)
   */
  readonly view?: PageViewOf;
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

/**
 * What pairs a refusal in an answer with its failure record: the request path, the event's position
 * in it (`null`: the whole request), the reason and the event's `messageId`.
 */
const pairKey = (path: string, index: number | null, reason: string, messageId: unknown): string =>
  JSON.stringify([path, index, reason, typeof messageId === 'string' ? messageId : null]);

/** The pair key of a failure record. */
function failurePairKey(record: FailureRecordLike): string {
  const request = (record.request ?? {}) as { path?: unknown; index?: unknown };
  const payload = record.payload as { messageId?: unknown } | null | undefined;
  return pairKey(
    typeof request.path === 'string' ? request.path : '',
    typeof request.index === 'number' ? request.index : null,
    record.failure.reason,
    typeof payload === 'object' && payload !== null ? payload.messageId : undefined,
  );
}

/** What a request path says its event is: the route's type, or `batch`; nothing for other paths. */
function typeOfPath(path: string): Pick<DebugEntry, 'type'> {
  const route = resolveRoute(path);
  if (route?.kind === 'event') return { type: route.type };
  return route?.kind === 'batch' ? { type: 'batch' } : {};
}

/**
 * A failure record's reason, event and request. Its raw body (a request that could not be parsed)
 * shows only when the record says no field rules were applied: with rules, a kept raw body
 * (`keepUnparseableBody`) still holds what the rules would have removed.
 */
function failureOf(
  record: FailureRecordLike,
): Pick<DebugEntry, 'reason' | 'json' | 'request' | 'source' | 'hidden' | 'type'> {
  const request = record.request as { path?: unknown } | undefined;
  const ruled = record.redaction !== undefined && record.redaction !== null;
  const raw = 'payload' in record ? undefined : record.raw;
  return {
    reason: record.failure.reason,
    json: 'payload' in record ? record.payload : ruled ? null : (raw ?? null),
    ...(raw !== undefined && ruled
      ? { hidden: 'raw body not shown: its source has field rules (pipeline.redact)' }
      : {}),
    ...(typeof record.source_id === 'string' ? { source: record.source_id } : {}),
    ...(typeof request?.path === 'string'
      ? { request: { method: 'POST', path: request.path, statusCode: 0 }, ...typeOfPath(request.path) }
      : {}),
  };
}

/** A message as `view` shows it: under its source's rules, or hidden with the reason. */
function shownMessage(view: PageView, message: unknown): Pick<DebugEntry, 'json' | 'hidden'> {
  const json = view.message(message);
  return json === undefined
    ? { json: null, hidden: view.rawBodyHidden ?? 'not shown: field rules (pipeline.redact)' }
    : { json };
}

/** A batch's messages as `view` shows them. */
function shownBatch(view: PageView, messages: readonly unknown[]): Pick<DebugEntry, 'json' | 'hidden'> {
  const shown = messages.map((message) => shownMessage(view, message));
  const hidden = shown.find((one) => one.hidden !== undefined)?.hidden;
  return hidden === undefined ? { json: { batch: shown.map((one) => one.json) } } : { json: null, hidden };
}

interface ResponseBody {
  readonly error?: unknown;
  readonly rejected?: unknown;
  readonly duplicates?: unknown;
}

/** The answer's count of events dropped as duplicates (0 when it has none). */
const duplicatesOf = (answer: ResponseBody): number =>
  typeof answer.duplicates === 'number' && Number.isInteger(answer.duplicates) && answer.duplicates > 0
    ? answer.duplicates
    : 0;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

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

/**
 * The body as text (base64 undone), for a body that could not be parsed: at most what its failure
 * record keeps (`RAW_BODY_CAP_BYTES`), the page shows it as a JSON string, so escaped.
 */
function bodyText(event: APIGatewayProxyEventV2): string {
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  return bytes.length <= RAW_BODY_CAP_BYTES
    ? bytes.toString('utf8')
    : `${bytes.subarray(0, RAW_BODY_CAP_BYTES).toString('utf8')}… (cut at ${RAW_BODY_CAP_BYTES} bytes)`;
}

/** The body's `writeKey` field, when it has one. */
const bodyWriteKeyOf = (body: unknown): string | undefined => {
  const key = (body as { writeKey?: unknown } | null)?.writeKey;
  return typeof key === 'string' ? key : undefined;
};

/** The messages of a request body: a batch's `batch`, or the body itself. */
function messagesOf(
  event: APIGatewayProxyEventV2,
): { messages: unknown[]; writeKey?: string } | { unparsed: string } {
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
    const writeKey = bodyWriteKeyOf(body);
    return {
      messages: Array.isArray(body.batch) ? body.batch : [body],
      ...(writeKey === undefined ? {} : { writeKey }),
    };
  } catch (error) {
    return { unparsed: (error as Error).message };
  }
}

/**
 * The live events page's memory: the last `capacity` entries, in order, and whoever listens for
 * new ones. Accepted events come from the stream (`addFromStream`); refused and undelivered ones
 * from the collector's answers (`recordExchange`). A refused event shows once: the refusal of the
 * answer and its record read back from the failed-events stream (same path, position, reason and
 * `messageId`), whichever comes first, make one entry marked with `failedStream`. Write keys never get in.
 */
export class DebugFeed {
  private readonly entries: DebugEntry[] = [];
  private readonly listeners = new Set<(entry: DebugEntry) => void>();
  /** Entries waiting for their other half (a refusal for its failure record, or the reverse), by id. */
  private readonly waiting = new Map<number, string>();
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

  /**
   * Calls `listener` with each new entry, and again with an entry that changed (same `id`: a
   * refusal marked as written to the failed stream), until the returned function is called.
   */
  subscribe(listener: (entry: DebugEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events read back from the stream, and failure records read back from the failed-events stream. */
  readonly addFromStream = (events: readonly TailEvent[]): void => {
    for (const event of events) {
      const { shardId, partitionKey, sequenceNumber } = event.meta;
      if (event.kind === 'failure') {
        const where = { shardId, partitionKey, sequenceNumber };
        const key = failurePairKey(event.record);
        if (!this.markKept(key, where, event.record.source_id)) {
          this.add({ status: 'failed', ...failureOf(event.record), shard: where }, key);
        }
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
   * entry; the events it dropped as duplicates (`duplicates` of a 200) as one `duplicate` entry. Not event requests (preflights, `/v1/m`, `/sourceConfig/`) are ignored.
   */
  readonly recordExchange = (event: APIGatewayProxyEventV2, result: APIGatewayProxyResultV2): void => {
    const method = event.requestContext.http.method;
    const route = resolveRoute(event.rawPath);
    if (method !== 'POST' || (route?.kind !== 'event' && route?.kind !== 'batch')) return;
    const { statusCode, answer } = responseBodyOf(result);
    const request = { method, path: event.rawPath, statusCode };
    const type = route.kind === 'event' ? route.type : 'batch';
    const body = messagesOf(event);
    const rejected = rejectedList(answer);
    const error = typeof answer.error === 'string' ? answer.error : `HTTP ${statusCode}`;
    const view = (this.options.view ?? (() => AS_SENT))(
      event,
      'unparsed' in body ? undefined : body.writeKey,
    );
    if ('unparsed' in body) {
      if (statusCode >= 400) {
        const shown =
          view.rawBodyHidden === undefined
            ? { json: bodyText(event) }
            : { json: null, hidden: view.rawBodyHidden };
        this.refuse({ reason: error, ...shown, request, type }, pairKey(request.path, null, error, null));
      }
      return;
    }
    const shown = (message: unknown): Pick<DebugEntry, 'json' | 'hidden'> => shownMessage(view, message);
    for (const item of rejected) {
      const message = body.messages[item.index] ?? null;
      const messageId = (message as { messageId?: unknown } | null)?.messageId;
      this.refuse(
        { reason: item.reason, ...shown(message), request, type },
        pairKey(request.path, item.index, item.reason, messageId),
      );
    }
    if (statusCode < 400) {
      const duplicates = duplicatesOf(answer);
      if (duplicates === 0) return;
      this.add({
        status: 'duplicate',
        reason: `${plural(duplicates, 'duplicate')} dropped: an earlier copy is already written`,
        ...(body.messages.length === 1 ? shown(body.messages[0]) : shownBatch(view, body.messages)),
        duplicates,
        request,
        type,
      });
      return;
    }
    const refusedIndexes = new Set(rejected.map((item) => item.index));
    const rest = body.messages.filter((_, index) => !refusedIndexes.has(index));
    if (statusCode === 429 || statusCode === 503) {
      for (const message of rest) {
        this.add({ status: 'undelivered', reason: error, ...shown(message), request, type });
      }
    } else if (rejected.length === 0) {
      const json = body.messages.length === 1 ? shown(body.messages[0]) : shownBatch(view, body.messages);
      this.refuse({ reason: error, ...json, request, type }, pairKey(request.path, null, error, null));
    }
  };

  /**
   * A refusal from an answer: marks the entry of its failure record when that was read first (the
   * entry becomes this refusal, marked as written to the failed stream), else adds it and waits
   * for the record.
   */
  private refuse(
    entry: Pick<DebugEntry, 'reason' | 'json' | 'request' | 'hidden' | 'type'>,
    key: string,
  ): void {
    const waiting = this.takeWaiting('failed', key);
    if (waiting === undefined) {
      this.add({ status: 'rejected', ...entry }, key);
      return;
    }
    const { shard, json: _json, hidden: _hidden, ...failed } = waiting;
    this.replace({
      ...failed,
      status: 'rejected',
      ...entry,
      ...(shard === undefined ? {} : { failedStream: shard }),
    });
  }

  /** Marks the refusal waiting for this failure record as written to the failed stream; false when none waits. */
  private markKept(key: string, where: NonNullable<DebugEntry['failedStream']>, source: unknown): boolean {
    const waiting = this.takeWaiting('rejected', key);
    if (waiting === undefined) return false;
    this.replace({ ...waiting, ...(typeof source === 'string' ? { source } : {}), failedStream: where });
    return true;
  }

  /** The oldest kept entry of this status waiting for its other half under `key`, no longer waiting. */
  private takeWaiting(status: DebugStatus, key: string): DebugEntry | undefined {
    const found = this.entries.find((entry) => entry.status === status && this.waiting.get(entry.id) === key);
    if (found !== undefined) this.waiting.delete(found.id);
    return found;
  }

  /** An entry changed (same id): kept in place, and sent again to the listeners. */
  private replace(entry: DebugEntry): void {
    const full = redact(entry, this.options.secrets) as DebugEntry;
    const at = this.entries.findIndex((kept) => kept.id === entry.id);
    if (at === -1) return;
    this.entries[at] = full;
    for (const listener of this.listeners) listener(full);
  }

  /** Adds an entry; with `pairKey`, it waits for its other half (answer or failure record). */
  private add(entry: Omit<DebugEntry, 'id' | 'at'>, pairKey?: string): void {
    const full = redact(
      { id: this.nextId++, at: this.now().toISOString(), ...entry },
      this.options.secrets,
    ) as DebugEntry;
    this.entries.push(full);
    if (pairKey !== undefined) this.waiting.set(full.id, pairKey);
    if (this.entries.length > this.capacity) {
      for (const dropped of this.entries.splice(0, this.entries.length - this.capacity)) {
        this.waiting.delete(dropped.id);
      }
    }
    for (const listener of this.listeners) listener(full);
  }
}
