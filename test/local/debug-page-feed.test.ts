import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { outcomeResponse } from '../../lambda/http/outcome-response';
import { type DebugEntry, DebugFeed } from '../../local/debug-page-feed';
import { debugPageHtml } from '../../local/debug-page-html';
import type { TailEvent } from '../../tools/tail/tail-event';

const WRITE_KEY = 'feed-write-key';
const reason = 'properties.order_id is required';
const refused = { type: 'track', messageId: 'm-2', userId: 'u1', event: 'Order Completed', properties: {} };
const valid = { ...refused, messageId: 'm-1', properties: { order_id: 'a' } };

/** The batch request of `valid` and `refused`, as API Gateway hands it to the collector. */
const request = {
  rawPath: '/v1/batch',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ batch: [valid, { ...refused, writeKey: WRITE_KEY }] }),
  isBase64Encoded: false,
  requestContext: { http: { method: 'POST' } },
} as unknown as APIGatewayProxyEventV2;

const answer = {
  statusCode: 200,
  body: JSON.stringify({ success: true, accepted: 1, rejected: [{ index: 1, messageId: 'm-2', reason }] }),
};

/** Its failure record, read back from the failed-events stream. */
const failureRecord: TailEvent = {
  kind: 'failure',
  meta: { shardId: 'shardId-000000000001', partitionKey: 'u1', sequenceNumber: '42' },
  record: {
    failure: { reason, code: 'plan_violation', stage: 'tracking_plan' },
    event_id: 'm-2',
    source_id: 'dev',
    received_at: '2026-11-30T01:00:00.000Z',
    request: {
      path: '/v1/batch',
      contentType: 'application/json',
      contentEncoding: null,
      bytes: 300,
      index: 1,
    },
    payload: refused,
  },
};

function feedWithListener() {
  const feed = new DebugFeed({ secrets: [WRITE_KEY] });
  const heard: DebugEntry[] = [];
  feed.subscribe((entry) => heard.push(entry));
  return { feed, heard };
}

describe('DebugFeed', () => {
  it('shows a refused event once, marked as written to the failed stream when its record is read back after the answer', () => {
    const { feed, heard } = feedWithListener();

    feed.recordExchange(request, answer);
    feed.addFromStream([failureRecord]);

    const entries = feed.snapshot();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      status: 'rejected',
      reason,
      json: { messageId: 'm-2', writeKey: '[redacted]' },
      request: { method: 'POST', path: '/v1/batch', statusCode: 200 },
      source: 'dev',
      failedStream: { shardId: 'shardId-000000000001', partitionKey: 'u1', sequenceNumber: '42' },
    });
    expect(heard.map((entry) => [entry.id, entry.failedStream !== undefined])).toEqual([
      [entries[0]?.id, false],
      [entries[0]?.id, true],
    ]);
  });

  it('shows a refused event once when its failure record is read before the collector’s answer is recorded', () => {
    const { feed } = feedWithListener();

    feed.addFromStream([failureRecord]);
    feed.recordExchange(request, answer);

    expect(feed.snapshot()).toEqual([
      expect.objectContaining({
        status: 'rejected',
        reason,
        source: 'dev',
        request: { method: 'POST', path: '/v1/batch', statusCode: 200 },
        failedStream: expect.objectContaining({ sequenceNumber: '42' }),
      }),
    ]);
  });

  it('pairs each refusal with one failure record only: the same event refused twice shows twice, each marked', () => {
    const { feed } = feedWithListener();

    feed.recordExchange(request, answer);
    feed.recordExchange(request, answer);
    feed.addFromStream([failureRecord]);

    const entries = feed.snapshot();
    expect(entries.map((entry) => entry.failedStream?.sequenceNumber)).toEqual(['42', undefined]);
  });

  it('shows a failure record no answer accounts for as failed (npm run live, another collector)', () => {
    const { feed } = feedWithListener();

    feed.addFromStream([failureRecord]);

    expect(feed.snapshot()).toEqual([
      expect.objectContaining({ status: 'failed', reason, json: refused, shard: failureRecord.meta }),
    ]);
  });

  it('leaves a refusal unmarked when its failure record says another reason', () => {
    const { feed } = feedWithListener();
    const other = {
      ...failureRecord,
      record: { ...failureRecord.record, failure: { reason: 'x', code: 'c', stage: 's' } },
    };

    feed.recordExchange(request, answer);
    feed.addFromStream([other as TailEvent]);

    expect(feed.snapshot().map((entry) => [entry.status, entry.failedStream])).toEqual([
      ['rejected', undefined],
      ['failed', undefined],
    ]);
  });

  it('shows the events a 200 answer dropped as duplicates as one duplicate entry counting them, and none for an answer without', () => {
    // Prepare: the collector's own answers (outcomeResponse) to the batch: two copies dropped, then none.
    const { feed } = feedWithListener();
    const withDuplicates = outcomeResponse(
      { kind: 'delivered', accepted: 2, rejected: [], duplicates: 2 },
      1,
    );
    const without = outcomeResponse({ kind: 'delivered', accepted: 2, rejected: [] }, 1);

    feed.recordExchange(request, withDuplicates);
    feed.recordExchange(request, without);

    expect(feed.snapshot()).toEqual([
      expect.objectContaining({
        status: 'duplicate',
        duplicates: 2,
        reason: '2 duplicates dropped: an earlier copy is already written',
        request: { method: 'POST', path: '/v1/batch', statusCode: 200 },
        json: { batch: [valid, { ...refused, writeKey: '[redacted]' }] },
      }),
    ]);
  });

  it('gives the page a duplicates-per-minute counter next to the accepted, refused and failed ones', () => {
    const html = debugPageHtml({ capacity: 10, eventsPath: '/_debug/events', subtitle: 'test' });

    expect(html).toMatch(
      /id="rate-accepted".*id="rate-rejected".*id="rate-failed".*<b id="rate-duplicate">0<\/b> duplicates\/min/s,
    );
  });
});
