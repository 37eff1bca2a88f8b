import { type Deaggregator, decodeRecord, isAggregated, KPL_MAGIC } from '../../tools/tail/decode-record';
import { matchesFilters, NO_FILTERS } from '../../tools/tail/event-filter';
import type { ShardRecord } from '../../tools/tail/shard-reader';

const record = (data: Uint8Array): ShardRecord => ({
  shardId: 'shardId-000000000000',
  partitionKey: 'user-1',
  sequenceNumber: '100',
  arrivedAt: new Date('2026-11-21T23:15:25.200Z'),
  data,
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const aggregated = Buffer.concat([Buffer.from(KPL_MAGIC), Buffer.from([0x0a, 0x01, 0x41])]);

describe('decodeRecord', () => {
  it('reads a JSON envelope with its shard, partition key, sequence number and arrival time', () => {
    expect(decodeRecord(record(json({ type: 'track', event: 'A' })), undefined)).toEqual([
      {
        kind: 'envelope',
        meta: {
          shardId: 'shardId-000000000000',
          partitionKey: 'user-1',
          sequenceNumber: '100',
          arrivedAt: '2026-11-21T23:15:25.200Z',
        },
        envelope: { type: 'track', event: 'A' },
      },
    ]);
  });

  it('reads a record of a failed-events stream as a failure record, and an envelope that merely has a failure field as an envelope', () => {
    const failure = { reason: 'userId or anonymousId is required', code: 'missing_id', stage: 'validation' };
    const [kept] = decodeRecord(
      record(json({ failure, event_id: 'x', payload: { type: 'track' } })),
      undefined,
    );
    const [envelope] = decodeRecord(record(json({ type: 'track', failure: 'checkout' })), undefined);
    expect(kept).toMatchObject({ kind: 'failure', record: { failure, event_id: 'x' } });
    expect(envelope).toMatchObject({ kind: 'envelope', envelope: { failure: 'checkout' } });
  });

  it('says a record is not an envelope instead of printing its bytes', () => {
    const [event] = decodeRecord(record(Buffer.from([0xff, 0x00, 0x01])), undefined);
    expect(event).toMatchObject({ kind: 'unreadable', reason: 'not a JSON envelope (3 bytes)' });
  });

  it('detects a KPL-aggregated record by its magic bytes and says how to read it when aws-kinesis-agg is absent', () => {
    expect(isAggregated(aggregated)).toBe(true);
    expect(isAggregated(json({ a: 1 }))).toBe(false);
    const events = decodeRecord(record(aggregated), undefined);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringContaining('install aws-kinesis-agg'),
    });
  });

  it('gives each user record of an aggregated record its own event when a deaggregator is there', () => {
    const deaggregator: Deaggregator = {
      deaggregateSync: (_record, _checksums, done) =>
        done(null, [
          {
            partitionKey: 'a',
            sequenceNumber: '100',
            subSequenceNumber: 0,
            data: json({ type: 'track' }).toString('base64'),
          },
          {
            partitionKey: 'b',
            sequenceNumber: '100',
            subSequenceNumber: 1,
            data: json({ type: 'page' }).toString('base64'),
          },
        ]),
    };
    expect(decodeRecord(record(aggregated), deaggregator)).toMatchObject([
      { kind: 'envelope', meta: { partitionKey: 'a', subSequenceNumber: 0 }, envelope: { type: 'track' } },
      { kind: 'envelope', meta: { partitionKey: 'b', subSequenceNumber: 1 }, envelope: { type: 'page' } },
    ]);
  });
});

describe('matchesFilters', () => {
  const [event] = decodeRecord(
    record(
      json({
        type: 'page',
        name: 'Home',
        event: null,
        user_id: null,
        anonymous_id: 'anon-1',
        source_id: 'web',
      }),
    ),
    undefined,
  );
  const filters = (overrides: Partial<typeof NO_FILTERS>) => ({ ...NO_FILTERS, ...overrides });

  it('matches the page name with --event and the anonymous id with --user', () => {
    if (event === undefined) throw new Error('no event');
    expect(matchesFilters(event, filters({ events: ['Home'], users: ['anon-1'] }))).toBe(true);
    expect(matchesFilters(event, filters({ events: ['Home'], users: ['user-1'] }))).toBe(false);
  });

  it('lets records that are not envelopes through only when no filter is given', () => {
    const [unreadable] = decodeRecord(record(Buffer.from('nope')), undefined);
    if (unreadable === undefined) throw new Error('no event');
    expect(matchesFilters(unreadable, NO_FILTERS)).toBe(true);
    expect(matchesFilters(unreadable, filters({ sources: ['web'] }))).toBe(false);
  });
});
