import { matchesFilters } from '../../tools/tail/event-filter';
import {
  colorEnabled,
  type FailureEvent,
  formatFailureLine,
  formatJson,
  formatLine,
  formatWarning,
} from '../../tools/tail/format-event';
import type { TailEvent } from '../../tools/tail/tail-event';

const meta = {
  shardId: 'shardId-000000000001',
  partitionKey: 'user-1',
  sequenceNumber: '4968',
  arrivedAt: '2026-11-21T23:15:25.200Z',
};

const track: Extract<TailEvent, { kind: 'envelope' }> = {
  kind: 'envelope',
  meta,
  envelope: {
    event_id: 'm-1',
    type: 'track',
    event: 'Order Completed',
    name: null,
    user_id: 'user-1',
    anonymous_id: 'anon-1',
    timestamp: '2026-11-21T23:15:25.038Z',
    received_at: '2026-11-21T23:15:25.100Z',
    source_id: 'web',
  },
};

describe('colorEnabled', () => {
  it('turns colour off when stdout is not a terminal', () => {
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });

  it('turns colour on for a terminal unless NO_COLOR or --no-color says otherwise', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, {}, false)).toBe(false);
  });

  it('turns colour on with FORCE_COLOR even when stdout is not a terminal', () => {
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('formatLine', () => {
  it('prints time, type, event name, user, partition key and shard without escape codes when colour is off', () => {
    expect(formatLine(track, { color: false })).toBe(
      '2026-11-21T23:15:25.038Z  track     "Order Completed"  user-1  pk=user-1  shardId-000000000001',
    );
  });

  it('shows the anonymous id when there is no user id, and the page name for pages', () => {
    const page = {
      ...track,
      envelope: { ...track.envelope, type: 'page', event: null, name: 'Home', user_id: null },
    };
    expect(formatLine(page, { color: false })).toBe(
      '2026-11-21T23:15:25.038Z  page      "Home"  anon:anon-1  pk=user-1  shardId-000000000001',
    );
  });

  it('shows the user of a record in the segment format and filters it by user and source', () => {
    const raw: Extract<TailEvent, { kind: 'envelope' }> = {
      kind: 'envelope',
      meta,
      envelope: {
        type: 'identify',
        messageId: 'm-2',
        userId: 'user-9',
        anonymousId: 'anon-9',
        timestamp: '2026-11-21T23:15:25.038Z',
        context: { kinesis_event_forwarder: { source_id: 'app', integration_id: 'main' } },
      },
    };
    expect(formatLine(raw, { color: false })).toBe(
      '2026-11-21T23:15:25.038Z  identify  user-9  pk=user-1  shardId-000000000001',
    );
    const filters = { types: [], users: ['anon-9'], events: [], sources: ['app'] };
    expect(matchesFilters(raw, filters)).toBe(true);
    expect(matchesFilters(raw, { ...filters, sources: ['web'] })).toBe(false);
  });

  it('colours the line with ANSI codes when colour is on, and the text stays the same', () => {
    const coloured = formatLine(track, { color: true });
    expect(coloured).toContain('\u001b[32mtrack');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(formatLine(track, { color: false }));
  });
});

const refused: FailureEvent = {
  kind: 'failure',
  meta,
  record: {
    failure: { reason: 'properties.order_id is required', code: 'plan_violation', stage: 'tracking_plan' },
    event_id: 'm-3',
    source_id: 'dev',
    received_at: '2026-11-21T12:03:04.000Z',
    request: {
      path: '/v1/batch',
      contentType: 'application/json',
      contentEncoding: null,
      bytes: 512,
      index: 1,
    },
    payload: { type: 'track', messageId: 'm-3', event: 'Order Completed', userId: 'u1', properties: {} },
  },
};

describe('formatFailureLine', () => {
  it('leads with when, the source, the stage and the reason, then the refused event and where it was in its request', () => {
    expect(formatFailureLine(refused, { color: false })).toBe(
      '2026-11-21T12:03:04.000Z  dev  tracking_plan  properties.order_id is required  track "Order Completed" user=u1  /v1/batch#1',
    );
  });

  it('shows the anonymous id, or says there is no user, when the event has no user id', () => {
    const anonymous = {
      ...refused,
      record: { ...refused.record, payload: { type: 'page', name: 'Home', anonymousId: 'a-1' } },
    };
    const nobody = { ...refused, record: { ...refused.record, payload: { type: 'track', event: 'X' } } };
    expect(formatFailureLine(anonymous, { color: false })).toContain('  page "Home" anon=a-1  ');
    expect(formatFailureLine(nobody, { color: false })).toContain('  track "X" no user  ');
  });

  it('shows the body of an unparseable request by its size, on one line', () => {
    const raw: FailureEvent = {
      ...refused,
      record: {
        failure: { reason: 'The body is not valid JSON', code: 'unparseable', stage: 'request' },
        event_id: 'r-1',
        source_id: 'dev',
        received_at: '2026-11-21T12:03:05.000Z',
        request: { path: '/v1/batch', contentType: null, contentEncoding: null, bytes: 70_000, index: null },
        raw: '{"batch": [\n',
        raw_encoding: 'utf8',
        raw_truncated: true,
      },
    };
    expect(formatFailureLine(raw, { color: false })).toBe(
      '2026-11-21T12:03:05.000Z  dev  request        The body is not valid JSON  raw request body (70000 bytes, kept 64 KiB)  /v1/batch',
    );
  });

  it('keeps a record on one line whatever control characters its sender put in the event', () => {
    const hostile = {
      ...refused,
      record: {
        ...refused.record,
        payload: { type: 'track\n', event: 'Evil\nLine', userId: 'u\u001b[31m1' },
      },
    };
    const line = formatFailureLine(hostile, { color: false });
    expect(line).not.toContain('\n');
    expect(line).not.toContain('\u001b');
    expect(line).toContain('track\\u000a "Evil\\nLine" user=u\\u001b[31m1');
  });

  it('colours the stage and the reason when colour is on, and the text stays the same', () => {
    const coloured = formatFailureLine(refused, { color: true });
    expect(coloured).toContain('\u001b[31mproperties.order_id is required\u001b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(formatFailureLine(refused, { color: false }));
  });

  it('filters a failure record by the event it holds and its source', () => {
    const filters = { types: ['track'], users: ['u1'], events: ['Order Completed'], sources: ['dev'] };
    expect(matchesFilters(refused, filters)).toBe(true);
    expect(matchesFilters(refused, { ...filters, users: ['u2'] })).toBe(false);
    expect(matchesFilters(refused, { ...filters, sources: ['web'] })).toBe(false);
  });
});

describe('formatJson', () => {
  it('writes a failure record whole, as the envelope of its line', () => {
    expect(JSON.parse(formatJson(refused))).toEqual({ meta, envelope: refused.record });
  });

  it('writes the meta and the envelope untouched, as one line', () => {
    const line = formatJson(track);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ meta, envelope: track.envelope });
  });
});

describe('formatWarning', () => {
  it('names the shard and sequence number of the record and why it cannot be shown', () => {
    expect(formatWarning({ kind: 'unreadable', meta, reason: 'not a JSON envelope (3 bytes)' })).toBe(
      'tail: warning: shardId-000000000001 record 4968: not a JSON envelope (3 bytes)',
    );
  });
});
