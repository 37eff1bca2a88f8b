import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeConfigInput } from '../../lambda/config/runtime-config';
import type { RecordWriter, WriteReport } from '../../lambda/delivery/record-writer';
import type { StoredRecord } from '../support/stream-reader';

/** An event as an SDK put it on the wire (the fields the envelope carries over). */
export interface SentEvent {
  readonly messageId: string;
  readonly type: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly event?: string;
  readonly name?: string;
  readonly groupId?: string;
  readonly previousId?: string;
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
  readonly context?: { readonly traits?: Record<string, unknown> };
  readonly timestamp?: string;
  readonly originalTimestamp?: string;
}

/** One request body an SDK sent to the collector, with the path it went to. */
export interface SentRequest {
  readonly url: string;
  readonly body: string | null;
}

/**
 * The distinct events in the request bodies an SDK sent, in first-sent order. Retries resend the
 * same events, so each `messageId` counts once, as last sent: analytics-next fills `userId` when it
 * sends, so a retry after `identify` carries it. `/v1/m` (analytics-next telemetry) is not an event.
 */
export function sentEvents(requests: readonly SentRequest[]): SentEvent[] {
  const events = new Map<string, SentEvent>();
  for (const request of requests) {
    if (request.body === null || /\/v1\/m$/.test(new URL(request.url).pathname)) continue;
    const body = JSON.parse(request.body) as { batch?: SentEvent[] } & SentEvent;
    for (const event of Array.isArray(body.batch) ? body.batch : [body]) {
      events.set(event.messageId, event);
    }
  }
  return [...events.values()];
}

/** What the stream should hold for one sent event: exactly one record, carrying what was sent. */
function expectedRecord(sent: SentEvent) {
  return {
    messageId: sent.messageId,
    copies: 1,
    partitionKey: sent.userId || sent.anonymousId,
    type: sent.type,
    event: sent.event ?? null,
    name: sent.name ?? null,
    user_id: sent.userId || null,
    anonymous_id: sent.anonymousId || null,
    group_id: sent.groupId ?? null,
    previous_id: sent.previousId ?? null,
    properties: sent.properties ?? null,
    // RudderStack's identify carries its traits only in context.traits.
    traits: sent.traits ?? (sent.type === 'identify' ? sent.context?.traits : undefined) ?? null,
    original_timestamp: sent.timestamp ?? sent.originalTimestamp ?? null,
  };
}

function actualRecord(messageId: string, records: readonly StoredRecord[]) {
  const copies = records.filter((record) => record.json.event_id === messageId);
  const first = copies[0];
  if (first === undefined) return { messageId, copies: 0 };
  const { json } = first;
  return {
    messageId,
    copies: copies.length,
    partitionKey: first.partitionKey,
    type: json.type,
    event: json.event,
    name: json.name,
    user_id: json.user_id,
    anonymous_id: json.anonymous_id,
    group_id: json.group_id,
    previous_id: json.previous_id,
    properties: json.properties,
    traits: json.traits,
    original_timestamp: json.original_timestamp,
  };
}

/**
 * Asserts the stream holds every sent event exactly once, under the partition key
 * `userId || anonymousId`, with its type and fields, and nothing else.
 */
export function expectEachDeliveredOnce(sent: readonly SentEvent[], records: readonly StoredRecord[]): void {
  expect(sent.map((event) => actualRecord(event.messageId, records))).toEqual(sent.map(expectedRecord));
  expect(records).toHaveLength(sent.length);
}

/**
 * Polls `check` until it returns true, at most `timeoutMs`; fails with `what` and, if given, the
 * `state` at that moment (e.g. the requests the page made), so a timeout says what was missing.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { readonly timeoutMs?: number; readonly state?: () => unknown } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const state = options.state ? `\nState: ${JSON.stringify(options.state(), null, 2)}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}${state}`);
    }
    await sleep(100);
  }
}

/**
 * A fault switch for tests: the first `failures` writes fail as a Kinesis outage would (every
 * record `InternalFailure`), so the collector answers 503 with `Retry-After`; later writes go
 * through. Production code has no such switch: it wraps the writer from outside.
 */
export class FailFirstWrites {
  injected = 0;

  constructor(private readonly failures = 1) {}

  readonly wrap = (writer: RecordWriter): RecordWriter => ({
    write: async (records, deadline): Promise<WriteReport> => {
      if (this.injected >= this.failures) return writer.write(records, deadline);
      this.injected++;
      return {
        calls: 1,
        failed: records.map((_, index) => ({
          index,
          errorCode: 'InternalFailure',
          errorMessage: 'fault injected by the test',
        })),
      };
    },
  });
}

/**
 * The collector configuration of the browser tests: the source allows exactly the test site's
 * origin and the collector-wide list allows none of ours, so a page can read the answers only if
 * the per-source allowlist works. `Retry-After: 1` keeps retry tests short.
 */
export function allowOnlyOrigin(origin: string) {
  return (defaults: RuntimeConfigInput): RuntimeConfigInput => ({
    ...defaults,
    sources: defaults.sources.map((source) => ({ ...source, allowedOrigins: [origin] })),
    cors: { allowedOrigins: ['https://elsewhere.example'] },
    delivery: { retryAfterSeconds: 1 },
  });
}
