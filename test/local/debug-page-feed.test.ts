import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { outcomeResponse } from '../../lambda/http/outcome-response';
import { type DebugEntry, DebugFeed } from '../../local/debug-page-feed';
import { debugPageHtml } from '../../local/debug-page-html';
import { pageViewOf } from '../../local/debug-page-rules';
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

  /** A request to `path` with `body` as sent, under `writeKey` (Basic auth). */
  const requestTo = (path: string, body: string, writeKey = WRITE_KEY) =>
    ({
      rawPath: path,
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    }) as unknown as APIGatewayProxyEventV2;
  const refusedAs = (error: string) => ({ statusCode: 400, body: JSON.stringify({ success: false, error }) });

  it('shows the raw body of a request that is not JSON as its text, typed by its path, when its source has no field rules', () => {
    const { feed } = feedWithListener();
    const body = '{"userId":"u1","event":"<b>Bad</b>",';

    feed.recordExchange(requestTo('/v1/track', body), refusedAs('not valid JSON'));

    expect(feed.snapshot()).toEqual([
      expect.objectContaining({ status: 'rejected', reason: 'not valid JSON', json: body, type: 'track' }),
    ]);
  });

  it('types a refused single event that names no type by its path (/v1/identify), and a refused batch as batch', () => {
    const { feed } = feedWithListener();

    feed.recordExchange(
      requestTo('/v1/identify', JSON.stringify({ messageId: 'm-9', traits: {} })),
      refusedAs('userId or anonymousId is required'),
    );
    feed.recordExchange(request, answer);

    expect(feed.snapshot().map((entry) => entry.type)).toEqual(['identify', 'batch']);
  });

  describe('with a source whose field rules hash *.email (issue 36: only what is stored)', () => {
    const email = 'Ada.Lovelace@example.com';
    const sources = [
      { id: 'web', writeKeys: [WRITE_KEY], pipeline: { redact: { drop: [], hash: ['*.email'] } } },
      { id: 'plain', writeKeys: ['plain-key'], pipeline: {} },
    ];
    const view = pageViewOf(sources);
    const feedOf = () => new DebugFeed({ secrets: [WRITE_KEY], view });
    const text = (feed: DebugFeed) => JSON.stringify(feed.snapshot());

    it('shows refused, undelivered and duplicate messages with the email hashed as the failure record keeps it', () => {
      const feed = feedOf();
      const message = {
        type: 'identify',
        messageId: 'm-1',
        traits: { email },
        context: { traits: { email } },
      };
      const body = JSON.stringify({ batch: [message, { ...message, messageId: 'm-2', type: 'track' }] });

      feed.recordExchange(requestTo('/v1/batch', body), {
        statusCode: 200,
        body: JSON.stringify({ rejected: [{ index: 1, reason: 'event is required' }], duplicates: 1 }),
      });
      feed.recordExchange(requestTo('/v1/batch', body), {
        statusCode: 503,
        body: JSON.stringify({ error: 'Kinesis is unavailable' }),
      });

      expect(text(feed)).not.toContain(email);
      expect(text(feed).toLowerCase()).not.toContain(email.toLowerCase());
      const refusedEntry = feed.snapshot().find((entry) => entry.status === 'rejected');
      expect(refusedEntry?.json).toMatchObject({
        traits: { email: expect.stringMatching(/^hmac-sha256:dev:[0-9a-f]{64}$/) },
        context: { traits: { email: expect.stringMatching(/^hmac-sha256:dev:/) } },
      });
      expect(feed.snapshot().map((entry) => entry.status)).toEqual([
        'rejected',
        'duplicate',
        'undelivered',
        'undelivered',
      ]);
    });

    it('hides the raw body of a request that is not JSON, and any body whose write key names no source, saying why', () => {
      const feed = feedOf();

      feed.recordExchange(
        requestTo('/v1/track', `{"traits":{"email":"${email}"`),
        refusedAs('not valid JSON'),
      );
      feed.recordExchange(
        requestTo('/v1/identify', JSON.stringify({ userId: 'u', traits: { email } }), 'wrong-key'),
        { statusCode: 401, body: JSON.stringify({ error: 'Invalid write key' }) },
      );

      expect(text(feed)).not.toContain(email);
      expect(feed.snapshot()).toEqual([
        expect.objectContaining({
          json: null,
          hidden: expect.stringContaining('source "web" has field rules'),
        }),
        expect.objectContaining({ json: null, hidden: expect.stringContaining('names no source') }),
      ]);
    });

    it('shows the raw body of a source without rules, and of failure records only when they say no rule applied', () => {
      const feed = feedOf();
      const raw = `{"traits":{"email":"${email}"`;
      const record = (extra: object): TailEvent => ({
        kind: 'failure',
        meta: failureRecord.meta,
        record: {
          failure: { reason: 'not valid JSON', code: 'unparseable', stage: 'request' },
          source_id: 'web',
          request: { path: '/v1/track', index: null },
          raw,
          ...extra,
        },
      });

      feed.recordExchange(requestTo('/v1/page', raw, 'plain-key'), refusedAs('not valid JSON'));
      feed.addFromStream([record({ redaction: { applied: true, key_version: 'dev' } })]);
      feed.addFromStream([record({})]);

      expect(feed.snapshot().map((entry) => [entry.status, entry.json, entry.type])).toEqual([
        ['rejected', raw, 'page'],
        ['failed', null, 'track'],
        ['failed', raw, 'track'],
      ]);
    });
  });

  it('leaves the refused counter out of a page that hears no answers (npm run live), keeping the failed one', () => {
    const html = debugPageHtml({
      capacity: 10,
      eventsPath: '/_debug/events',
      subtitle: 'test',
      seesAnswers: false,
    });

    expect(html).not.toContain('rate-rejected');
    expect(html).toContain('id="rate-failed"');
    expect(html).toContain('data-answers="false"');
  });
});
