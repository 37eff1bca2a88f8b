import { gzipSync } from 'node:zlib';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { envelopeSchemaErrors } from '../support/envelope-schema';
import { loadHttpFixture, replay } from '../support/http-fixture';
import type { StoredRecord } from '../support/stream-reader';
import {
  startTestCollector,
  TEST_DESTINATION_ID,
  TEST_SOURCE_ID,
  TEST_WRITE_KEY,
  type TestCollector,
} from '../support/test-collector';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Sources whose keys the captured SDK requests carry. */
const withFixtureSources = (collector: Parameters<typeof startTestCollector>[0] = {}) => ({
  ...collector,
  config: (defaults: Parameters<NonNullable<Parameters<typeof startTestCollector>[0]>['config'] & {}>[0]) => {
    const destinations = defaults.destinations.map((d) => d.id);
    return {
      ...defaults,
      sources: [
        ...defaults.sources,
        { id: 'browser', writeKeys: ['wk_browser_probe'], destinations },
        { id: 'server', writeKeys: ['wk_node_probe'], destinations },
      ],
    };
  },
});

async function post(
  collector: TestCollector,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${collector.url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(TEST_WRITE_KEY), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

function byEventId(records: readonly StoredRecord[]): Map<string, StoredRecord[]> {
  const map = new Map<string, StoredRecord[]>();
  for (const record of records) {
    const id = String(record.json.event_id);
    map.set(id, [...(map.get(id) ?? []), record]);
  }
  return map;
}

function expectExactlyOnce(
  records: readonly StoredRecord[],
  messageIds: readonly string[],
): Map<string, StoredRecord> {
  const grouped = byEventId(records);
  const once = new Map<string, StoredRecord>();
  for (const id of messageIds) {
    expect({ id, copies: grouped.get(id)?.length ?? 0 }).toEqual({ id, copies: 1 });
    once.set(id, (grouped.get(id) as StoredRecord[])[0] as StoredRecord);
  }
  expect(records).toHaveLength(messageIds.length);
  for (const record of records) expect(envelopeSchemaErrors(record.json)).toEqual([]);
  return once;
}

const every = {
  track: {
    type: 'track',
    messageId: 'm-track',
    userId: 'u-1',
    event: 'Order Completed',
    properties: { revenue: 9.99 },
  },
  identify: { type: 'identify', messageId: 'm-identify', userId: 'u-1', traits: { email: 'a@b.c' } },
  page: { type: 'page', messageId: 'm-page', anonymousId: 'anon-1', name: 'Home', properties: { path: '/' } },
  screen: { type: 'screen', messageId: 'm-screen', userId: 'u-2', name: 'Settings' },
  group: { type: 'group', messageId: 'm-group', userId: 'u-1', groupId: 'g-1', traits: { plan: 'pro' } },
  alias: { type: 'alias', messageId: 'm-alias', userId: 'u-1', previousId: 'anon-1' },
} as const;

describe('the ingest path, from HTTP request to Kinesis record', () => {
  let collector: TestCollector;
  beforeEach(async () => {
    collector = await startTestCollector(withFixtureSources());
  });
  afterEach(() => collector.stop());

  it.each([
    [
      'long',
      {
        track: '/v1/track',
        identify: '/v1/identify',
        page: '/v1/page',
        screen: '/v1/screen',
        group: '/v1/group',
        alias: '/v1/alias',
      },
    ],
    [
      'short',
      { track: '/v1/t', identify: '/v1/i', page: '/v1/p', screen: '/v1/s', group: '/v1/g', alias: '/v1/a' },
    ],
  ])(
    'writes each call type sent to its own %s-form endpoint exactly once with its fields and partition key',
    async (_, paths) => {
      for (const [type, message] of Object.entries(every)) {
        const { type: _type, ...withoutType } = message;
        const answer = await post(collector, paths[type as keyof typeof paths], withoutType);
        expect({ type, status: answer.status, json: answer.json }).toEqual({
          type,
          status: 200,
          json: { accepted: 1, rejected: [] },
        });
      }
      const records = expectExactlyOnce(
        await collector.records(),
        Object.values(every).map((m) => m.messageId),
      );
      expect(records.get('m-track')?.json).toMatchObject({
        type: 'track',
        event: 'Order Completed',
        user_id: 'u-1',
        anonymous_id: null,
        properties: { revenue: 9.99 },
        source_id: TEST_SOURCE_ID,
        integration_id: TEST_DESTINATION_ID,
        context: { ip: '127.0.0.1' },
      });
      expect(records.get('m-track')?.partitionKey).toBe('u-1');
      expect(records.get('m-page')?.json).toMatchObject({
        type: 'page',
        name: 'Home',
        anonymous_id: 'anon-1',
      });
      expect(records.get('m-page')?.partitionKey).toBe('anon-1');
      expect(records.get('m-screen')?.json).toMatchObject({ type: 'screen', name: 'Settings' });
      expect(records.get('m-group')?.json).toMatchObject({
        type: 'group',
        group_id: 'g-1',
        traits: { plan: 'pro' },
      });
      expect(records.get('m-alias')?.json).toMatchObject({
        type: 'alias',
        previous_id: 'anon-1',
        user_id: 'u-1',
      });
      expect(records.get('m-identify')?.json).toMatchObject({ type: 'identify', traits: { email: 'a@b.c' } });
    },
  );

  it.each(['/v1/batch', '/v1/b', '/v1/import', '/prod/v1/batch'])(
    'writes every event of a batch posted to %s exactly once',
    async (path) => {
      const answer = await post(collector, path, {
        batch: Object.values(every),
        sentAt: new Date().toISOString(),
      });
      expect(answer).toMatchObject({ status: 200, json: { accepted: 6, rejected: [] } });
      const records = expectExactlyOnce(
        await collector.records(),
        Object.values(every).map((m) => m.messageId),
      );
      expect([...records.values()].map((r) => r.json.type).sort()).toEqual([
        'alias',
        'group',
        'identify',
        'page',
        'screen',
        'track',
      ]);
    },
  );

  it('replays every captured SDK request and writes each of its events exactly once', async () => {
    const names = ['node', 'browser_t', 'browser_b', 'rs_track', 'rs_batch', 'rs_beacon'];
    const expected: { messageId: string; sourceId: string; partitionKey: string; type: string }[] = [];
    for (const name of names) {
      const fixture = loadHttpFixture(name);
      const body = JSON.parse(fixture.body) as { batch?: Record<string, unknown>[] } & Record<
        string,
        unknown
      >;
      const sourceId = name === 'node' ? 'server' : 'browser';
      for (const message of body.batch ?? [body]) {
        expected.push({
          messageId: String(message.messageId),
          sourceId,
          partitionKey: String(message.userId || message.anonymousId),
          type: String(message.type),
        });
      }
      const response = await replay(collector.url, fixture);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
    }
    const records = expectExactlyOnce(
      await collector.records(),
      expected.map((e) => e.messageId),
    );
    for (const { messageId, sourceId, partitionKey, type } of expected) {
      const record = records.get(messageId) as StoredRecord;
      expect({
        messageId,
        key: record.partitionKey,
        source: record.json.source_id,
        type: record.json.type,
      }).toEqual({
        messageId,
        key: partitionKey,
        source: sourceId,
        type,
      });
    }
    // RudderStack's anonymous events carry userId "": the anonymousId keys them.
    expect(records.get('2445170e-d415-48c4-8600-f005cde2c093')?.json).toMatchObject({
      user_id: null,
      anonymous_id: '46205e12-802d-410b-90e1-382d814cc18a',
      original_timestamp: '2026-11-21T23:18:37.811Z',
      properties: { unicode: 'héllo — 日本語 🎉' },
    });
    // analytics-node's own context.ip is kept, not replaced by the caller's address.
    expect(records.get('node-next-1795301244109-419ac0c6-183a-4324-9392-dd26715f1c05')?.json).toMatchObject({
      context: { ip: '1.2.3.4', custom: { nested: { a: 1 } } },
    });
  });

  it('corrects the client clock skew using sentAt, as Segment does', async () => {
    const clientClockAhead = 60 * 60 * 1000;
    const now = Date.now();
    const sentAt = new Date(now + clientClockAhead).toISOString();
    const timestamp = new Date(now + clientClockAhead - 5_000).toISOString();
    await post(collector, '/v1/track', { ...every.track, timestamp, sentAt });
    const [record] = await collector.records();
    const envelope = record?.json as Record<string, string>;
    const skewCorrected = Date.parse(envelope.timestamp as string);
    const receivedAt = Date.parse(envelope.received_at as string);
    expect(receivedAt - skewCorrected).toBe(5_000);
    expect(envelope.original_timestamp).toBe(timestamp);
    expect(envelope.sent_at).toBe(sentAt);
  });

  it('accepts text/plain and gzip bodies, and write keys from the body or the query string', async () => {
    const plain = await fetch(`${collector.url}/v1/t`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ ...every.track, messageId: 'plain', writeKey: TEST_WRITE_KEY }),
    });
    const gzip = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: basic(TEST_WRITE_KEY),
      },
      body: gzipSync(JSON.stringify({ batch: [{ ...every.identify, messageId: 'gzipped' }] })),
    });
    const query = await fetch(`${collector.url}/v1/p?writeKey=${TEST_WRITE_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ ...every.page, messageId: 'query' }),
    });
    expect([plain.status, gzip.status, query.status]).toEqual([200, 200, 200]);
    expectExactlyOnce(await collector.records(), ['plain', 'gzipped', 'query']);
  });

  it('writes the valid events of a batch and lists the refused ones with their index, messageId and reason', async () => {
    const answer = await post(collector, '/v1/batch', {
      batch: [
        every.track,
        { type: 'track', messageId: 'no-event', userId: 'u-1' },
        every.identify,
        { type: 'identify', messageId: 'no-ids', userId: '', anonymousId: '' },
        { type: 'launch', messageId: 'bad-type', userId: 'u-1' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      accepted: 2,
      rejected: [
        { index: 1, messageId: 'no-event', reason: 'track requires a non-empty event' },
        {
          index: 3,
          messageId: 'no-ids',
          reason: 'userId or anonymousId is required (empty strings count as absent)',
        },
        { index: 4, messageId: 'bad-type', reason: expect.stringContaining('type must be one of') },
      ],
    });
    expectExactlyOnce(await collector.records(), ['m-track', 'm-identify']);
  });

  it('writes every event of a batch larger than one write window exactly once, and lists the refused ones by their index', async () => {
    const batch = Array.from({ length: 1234 }, (_, i) =>
      i % 400 === 7
        ? { type: 'track', messageId: `refused-${i}`, event: 'No Ids' }
        : { type: 'track', messageId: `big-${i}`, userId: `u-${i % 50}`, event: 'Item Viewed' },
    );
    const answer = await post(collector, '/v1/batch', { batch });
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(1230);
    expect((answer.json.rejected as { index: number }[]).map((rejection) => rejection.index)).toEqual([
      7, 407, 807, 1207,
    ]);
    expectExactlyOnce(
      await collector.records(),
      batch.flatMap((event) => (event.messageId.startsWith('big-') ? [event.messageId] : [])),
    );
  });

  it('refuses oversized events alone and keeps the rest of the batch', async () => {
    const big = { ...every.track, messageId: 'big', properties: { blob: 'x'.repeat(40 * 1024) } };
    const answer = await post(collector, '/v1/batch', { batch: [big, every.identify] });
    expect(answer.json).toEqual({
      accepted: 1,
      rejected: [{ index: 0, messageId: 'big', reason: expect.stringMatching(/larger than 32768 bytes/) }],
    });
    expectExactlyOnce(await collector.records(), ['m-identify']);
  });

  it.each([
    ['no write key', {}, { authorization: '' }, 401, /Missing write key/],
    ['an unknown write key', every.track, { authorization: basic('nope') }, 401, /Unknown write key/],
    ['malformed JSON', '{"userId": "u-1",', {}, 400, /not valid JSON/],
    [
      'an Authorization: Basic value that is not base64',
      every.track,
      { authorization: 'Basic !!!garbage' },
      401,
      /^Authorization: Basic is not followed by base64 of "<writeKey>:"/,
    ],
    [
      'a form body',
      'userId=u-1&event=Signed+Up',
      { 'content-type': 'application/x-www-form-urlencoded' },
      400,
      /^Request body is not valid JSON: unexpected token at position 0; expected a JSON body \(Content-Type: application\/json\), got application\/x-www-form-urlencoded$/,
    ],
    [
      '100,000 levels of nesting',
      `{"type":"track","userId":"u-1","event":"E","properties":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      {},
      400,
      /^Request body is nested deeper than 100 levels of objects and arrays/,
    ],
    ['a batch that is not an array', { batch: { type: 'track' } }, {}, 400, /"batch" must be an array/],
    ['no valid event', { batch: [{ type: 'track', userId: 'u-1' }] }, {}, 400, /No valid event/],
    [
      'a body over the request limit',
      { batch: [{ ...every.track, properties: { blob: 'x'.repeat(600 * 1024) } }] },
      {},
      413,
      /limit is 512000 bytes/,
    ],
    [
      'a single event over the event limit',
      { ...every.track, properties: { blob: 'x'.repeat(40 * 1024) } },
      {},
      413,
      /too large/,
    ],
  ])(
    'answers a request with %s with a clear error and writes nothing',
    async (_, body, headers, status, message) => {
      const path = typeof body === 'object' && 'batch' in body ? '/v1/batch' : '/v1/track';
      const answer = await post(collector, path, body, headers as Record<string, string>);
      expect(answer.status).toBe(status);
      expect(String(answer.json.error)).toMatch(message);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(await collector.records()).toHaveLength(0);
    },
  );

  it('accepts a body that starts with a UTF-8 byte order mark', async () => {
    const answer = await post(collector, '/v1/track', `\uFEFF${JSON.stringify(every.track)}`);
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(1);
    expectExactlyOnce(await collector.records(), [every.track.messageId]);
  });

  it('accepts and drops analytics-next telemetry without a write key', async () => {
    const response = await replay(collector.url, loadHttpFixture('metrics'));
    expect(response.status).toBe(200);
    expect(await collector.records()).toHaveLength(0);
  });

  it('answers a browser preflight with the methods, SDK headers and a max age', async () => {
    const response = await replay(collector.url, loadHttpFixture('browser_preflight'));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });
});

describe('delivery faults reach the client as retryable answers', () => {
  /** Fails the first `failures` writes with `errorCode` for every record, then writes for real. */
  const failingFirst =
    (failures: number, errorCode: string) =>
    (writer: RecordWriter): RecordWriter => {
      let calls = 0;
      return {
        write: async (records, deadline) =>
          ++calls <= failures
            ? {
                calls: 1,
                failed: records.map((_, index) => ({ index, errorCode, errorMessage: 'injected' })),
              }
            : writer.write(records, deadline),
      };
    };

  it('answers 429 with Retry-After while the stream throttles, and writes the events once the client retries', async () => {
    const collector = await startTestCollector({
      wrapWriter: failingFirst(1, 'ProvisionedThroughputExceededException'),
    });
    try {
      const first = await post(collector, '/v1/batch', { batch: [every.track, every.identify] });
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('2');
      expect(first.headers.get('access-control-expose-headers')).toBe('Retry-After, X-RateLimit-Reset');
      expect(await collector.records()).toHaveLength(0);
      const retry = await post(collector, '/v1/batch', { batch: [every.track, every.identify] });
      expect(retry.status).toBe(200);
      expectExactlyOnce(await collector.records(), ['m-track', 'm-identify']);
    } finally {
      await collector.stop();
    }
  });

  it('answers 503 with Retry-After when the stream cannot be written, never a 4xx the SDK would drop', async () => {
    const collector = await startTestCollector({ wrapWriter: failingFirst(1, 'AccessDeniedException') });
    try {
      const answer = await post(collector, '/v1/track', every.track);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(String(answer.json.error)).toMatch(/1 of 1 valid events were not written/);
    } finally {
      await collector.stop();
    }
  });

  it('answers 503 when the stream does not exist, because no event may be acknowledged before it is durable', async () => {
    const collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        destinations: defaults.destinations.map((d) => ({ ...d, streamName: 'no-such-stream' })),
      }),
    });
    try {
      expect((await post(collector, '/v1/track', every.track)).status).toBe(503);
    } finally {
      await collector.stop();
    }
  });
});

describe('routing by source', () => {
  it('fans a source out to every destination, each record naming its destination', async () => {
    const collector = await startTestCollector({
      config: (defaults) => {
        const primary = defaults.destinations[0] as (typeof defaults.destinations)[number];
        return {
          ...defaults,
          sources: [{ id: 'fan', writeKeys: [TEST_WRITE_KEY], destinations: [primary.id, 'copy'] }],
          destinations: [primary, { ...primary, id: 'copy' }],
        };
      },
    });
    try {
      expect((await post(collector, '/v1/track', every.track)).status).toBe(200);
      const records = await collector.records();
      expect(records.map((r) => [r.json.event_id, r.json.integration_id]).sort()).toEqual([
        ['m-track', 'copy'],
        ['m-track', TEST_DESTINATION_ID],
      ]);
    } finally {
      await collector.stop();
    }
  });

  it('keys records by event_id for a source that asks for it', async () => {
    const collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        sources: defaults.sources.map((s) => ({ ...s, partitionKey: 'event_id' as const })),
      }),
    });
    try {
      await post(collector, '/v1/track', every.track);
      const [record] = await collector.records();
      expect(record?.partitionKey).toBe('m-track');
    } finally {
      await collector.stop();
    }
  });
});
