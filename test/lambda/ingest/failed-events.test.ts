import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { HttpError } from '../../../lambda/http/http-error';
import { outcomeResponse } from '../../../lambda/http/outcome-response';
import { Ingest, type IngestRequest } from '../../../lambda/ingest/ingest';
import { failureRecordSchemaErrors } from '../../support/envelope-schema';

/** A writer that keeps what it is given, or fails every record with `failWith`. */
class MemoryWriter implements RecordWriter {
  readonly records: OutgoingRecord[] = [];
  failWith: string | undefined;
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    if (this.failWith !== undefined) {
      const errorCode = this.failWith;
      return {
        failed: records.map((_, index) => ({ index, errorCode, errorMessage: 'injected' })),
        calls: 1,
      };
    }
    this.records.push(...records);
    return { failed: [], calls: 1 };
  }
  json(): Record<string, unknown>[] {
    return this.records.map((r) => JSON.parse(Buffer.from(r.data).toString('utf8')));
  }
}

function setup(trackingPlan?: unknown) {
  const config = parseRuntimeConfig({
    sources: [
      { id: 'web', writeKeys: ['k'], destinations: ['d'], ...(trackingPlan ? { trackingPlan } : {}) },
    ],
    destinations: [{ id: 'd', streamName: 'events', region: 'us-east-1', failedStreamName: 'events-failed' }],
  });
  const main = new MemoryWriter();
  const failed = new MemoryWriter();
  const ingest = new Ingest({
    writers: new Map([['d', main]]),
    failedWriters: new Map([['d', failed]]),
    maxEventBytes: 2048,
  });
  const request = (messages: unknown[]): IngestRequest => ({
    source: config.sources[0] as RuntimeSource,
    messages,
    receivedAt: Date.parse('2026-11-29T12:00:00.000Z'),
    deadline: Date.now() + 1000,
    request: { path: '/v1/batch', contentType: 'text/plain', contentEncoding: null, bytes: 123 },
  });
  return { main, failed, ingest, request };
}

const valid = { type: 'track', messageId: 'ok', userId: 'u1', event: 'Signed Up' };
const noIds = { type: 'track', messageId: 'no-ids', event: 'Signed Up', writeKey: 'secret-key' };

describe('Ingest with a failed-events stream', () => {
  it('keeps each refused event in the failed stream with its reason, request and payload without the write key', async () => {
    const { main, failed, ingest, request } = setup();

    const outcome = await ingest.ingest(
      request([valid, noIds, { type: 'track', userId: 'u2', event: 'x'.repeat(3000) }]),
    );

    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 1, keptInFailedStream: true });
    expect(main.json().map((r) => r.event_id)).toEqual(['ok']);
    const [missing, tooLarge] = failed.json();
    expect(missing).toEqual({
      failure: {
        reason: 'userId or anonymousId is required (empty strings count as absent)',
        code: 'missing_id',
        stage: 'validation',
      },
      event_id: 'no-ids',
      source_id: 'web',
      received_at: '2026-11-29T12:00:00.000Z',
      request: {
        path: '/v1/batch',
        contentType: 'text/plain',
        contentEncoding: null,
        bytes: 123,
        index: 1,
        sentAt: null,
      },
      payload: { type: 'track', messageId: 'no-ids', event: 'Signed Up' },
    });
    expect(failureRecordSchemaErrors(missing)).toEqual([]);
    expect(tooLarge).toMatchObject({ failure: { code: 'too_large', stage: 'size' }, request: { index: 2 } });
    expect(failed.records[1]?.partitionKey).toBe('u2');
  });

  it('keeps the request’s sentAt with each refused event, so a replay corrects its timestamp as the ingest would have', async () => {
    const { failed, ingest, request } = setup();

    await ingest.ingest({ ...request([valid, noIds]), sentAt: '2026-11-29T11:59:58.000Z' });

    const [record] = failed.json();
    expect(record).toMatchObject({ request: { index: 1, sentAt: '2026-11-29T11:59:58.000Z' } });
    expect(failureRecordSchemaErrors(record)).toEqual([]);
  });

  it('answers 503, not 200, when the valid events are written but a refused one cannot be kept', async () => {
    const { main, failed, ingest, request } = setup();
    failed.failWith = 'InternalFailure';

    const outcome = await ingest.ingest(request([valid, noIds]));

    expect(main.records).toHaveLength(1);
    expect(outcome).toMatchObject({
      kind: 'undelivered',
      throttled: false,
      undelivered: [{ destinationId: 'd', failedStream: true, count: 1, errorCodes: ['InternalFailure'] }],
    });
    expect(() => outcomeResponse(outcome, 2)).toThrow(
      expect.objectContaining({
        statusCode: 503,
        message: expect.stringMatching(
          /^1 refused events could not be kept in the failed-events stream .*InternalFailure/,
        ),
      }),
    );
  });

  it('answers 429 when the failed stream throttles, even if nothing in the request was valid', async () => {
    const { failed, ingest, request } = setup();
    failed.failWith = 'ProvisionedThroughputExceededException';

    const outcome = await ingest.ingest(request([noIds]));

    expect(outcome).toMatchObject({ kind: 'undelivered', accepted: 0, throttled: true });
    let error: unknown;
    try {
      outcomeResponse(outcome, 2);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(429);
  });

  it('answers 400 for a request with nothing valid once its refused events are kept', async () => {
    const { failed, ingest, request } = setup();

    const outcome = await ingest.ingest(request([noIds]));

    expect(outcome).toMatchObject({ kind: 'nothing-valid', keptInFailedStream: true });
    expect(failed.records).toHaveLength(1);
  });

  it('writes an event with its violations in the envelope when the plan flags them', async () => {
    const { main, failed, ingest, request } = setup({
      events: { 'Signed Up': { type: 'object', required: ['plan'] } },
      violations: 'flag',
    });

    await ingest.ingest(request([valid, { ...valid, messageId: 'planned', properties: { plan: 'pro' } }]));

    const [flagged, clean] = main.json();
    expect(flagged?.violations).toEqual([
      { path: 'properties.plan', rule: 'required', message: 'properties.plan is required' },
    ]);
    expect(clean).not.toHaveProperty('violations');
    expect(failed.records).toHaveLength(0);
  });

  it('keeps the raw body of a request that cannot be parsed, cut at 64 KiB', async () => {
    const { failed, ingest, request } = setup();
    const body = Buffer.from(`{"writeKey":"secret-key","batch":[${'x'.repeat(70 * 1024)}`, 'utf8');

    const outcome = await ingest.keepRefusedRequest({
      source: request([]).source,
      failure: {
        reason: 'Request body is not valid JSON: unexpected token',
        code: 'unparseable',
        stage: 'request',
      },
      body,
      request: {
        path: '/v1/batch',
        contentType: 'application/json',
        contentEncoding: null,
        bytes: body.length,
      },
      receivedAt: Date.now(),
      deadline: Date.now() + 1000,
    });

    expect(outcome).toEqual({ kind: 'kept' });
    const [record] = failed.json();
    expect(record).toMatchObject({ raw_encoding: 'utf8', raw_truncated: true, request: { index: null } });
    expect(Buffer.byteLength(record?.raw as string)).toBeLessThanOrEqual(64 * 1024 + 20);
    expect(record?.raw).toMatch(/^\{"writeKey":"\[redacted\]","batch":\[x+$/);
  });
});
