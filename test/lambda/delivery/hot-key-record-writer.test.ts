import {
  HOT_KEY_SPREAD,
  type HotKeyNotice,
  HotKeyRecordWriter,
  partitionKeyHash,
  withHotKeyRelief,
} from '../../../lambda/delivery/hot-key-record-writer';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import type { SpilledRecord, SpillReport, SpillStore } from '../../../lambda/delivery/spill-store';
import { SpillingRecordWriter } from '../../../lambda/delivery/spilling-record-writer';
import {
  type LandedRecord,
  SHARD_RECORDS_PER_SECOND,
  shardOf,
  ThrottlingKinesis,
  VirtualClock,
} from '../../support/throttling-kinesis';

const HOT_KEY = 'system-user';
const OTHER_KEYS = ['user-a', 'user-b', 'user-c', 'user-d'];

let eventCounter = 0;

/** An envelope-shaped record of `key` (the writer only reads `context` and the key). */
const recordOf = (key: string): OutgoingRecord => ({
  data: Buffer.from(
    JSON.stringify({ event_id: `e-${++eventCounter}`, user_id: key, context: { ip: '203.0.113.7' } }),
  ),
  partitionKey: key,
});

const envelopeOf = (record: { readonly data: Uint8Array }) =>
  JSON.parse(Buffer.from(record.data).toString('utf8')) as {
    event_id: string;
    user_id: string;
    context: { kinesis_event_forwarder?: { overflow?: boolean } };
  };

class MemorySpill implements SpillStore {
  readonly kept: SpilledRecord[] = [];
  async spill(batch: readonly SpilledRecord[]): Promise<SpillReport> {
    this.kept.push(...batch);
    return { failed: [] };
  }
}

/** A seeded PRNG (mulberry32), so the retries' jitter is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One container's delivery path as the collector composes it (Kinesis writer with the default
 * retries, hot-key relief when `recordsPerSecond` is given, spill behind) against `kinesis`.
 */
function containerPath(kinesis: ThrottlingKinesis, clock: VirtualClock, recordsPerSecond?: number) {
  const notices: HotKeyNotice[] = [];
  const spill = new MemorySpill();
  const kinesisWriter = new KinesisRecordWriter({
    client: kinesis.client,
    streamName: 'events',
    backoff: { baseDelayMs: 50, maxDelayMs: 1_000 },
    now: clock.now,
    sleep: clock.sleep,
    random: seeded(7),
  });
  const writer = withHotKeyRelief(
    kinesisWriter,
    {
      id: 'events',
      hotKeys: { enabled: recordsPerSecond !== undefined, recordsPerSecond: recordsPerSecond ?? 1 },
    },
    { now: clock.now, onHotKeys: (notice) => notices.push(notice) },
  );
  const spilling = new SpillingRecordWriter({
    writer,
    destinationId: 'events',
    store: spill,
    now: clock.now,
  });
  return { writer: spilling, notices, spill };
}

/**
 * `requests` writes, one every `everyMs` of virtual time, each with the records `batch(i)` makes,
 * under way at once as a container's requests are (run it with `clock.run`).
 */
async function sendOverTime(
  clock: VirtualClock,
  writer: RecordWriter,
  requests: number,
  everyMs: number,
  batch: (i: number) => OutgoingRecord[],
  budgetMs = 6_000,
): Promise<{ sent: OutgoingRecord[]; reports: WriteReport[] }> {
  const sent: OutgoingRecord[] = [];
  const start = clock.now();
  const writes = Array.from({ length: requests }, async (_, i) => {
    await clock.sleep(start + i * everyMs - clock.now());
    const records = batch(i);
    sent.push(...records);
    return writer.write(records, clock.now() + budgetMs);
  });
  const reports = await Promise.all(writes);
  return { sent, reports };
}

/**
 * Five times a shard's rate of one key for 1.5 s (more than the 2-shard stream's capacity while it
 * lasts, so records wait in the writer's retries), with eight other keys at 25 or 50 records/s.
 */
const hotLoad = (i: number) => [
  ...Array.from({ length: (5 * SHARD_RECORDS_PER_SECOND) / 50 }, () => recordOf(HOT_KEY)),
  ...OTHER_KEYS.map((key) => recordOf(key)),
  ...OTHER_KEYS.map((key) => recordOf(`${key}-${i % 2}`)),
];

const overflowOf = (record: LandedRecord) => envelopeOf(record).context.kinesis_event_forwarder?.overflow;

describe('HotKeyRecordWriter against a throttling 2-shard stream', () => {
  it('spreads one key at 5x a shard rate over both shards, marked, with nothing spilled and other keys kept', async () => {
    const clock = new VirtualClock();
    const kinesis = new ThrottlingKinesis(2, clock.now);
    const { writer, notices, spill } = containerPath(kinesis, clock, 500);

    const { sent, reports } = await clock.run(sendOverTime(clock, writer, 75, 20, hotLoad));

    expect(spill.kept).toHaveLength(0);
    expect(reports.flatMap((report) => report.failed)).toEqual([]);
    const landedIds = kinesis.landed.map((record) => envelopeOf(record).event_id);
    expect(new Set(landedIds).size).toBe(landedIds.length);
    expect(landedIds.sort()).toEqual(sent.map((record) => envelopeOf(record).event_id).sort());
    const spread = kinesis.landed.filter((record) => record.partitionKey.startsWith(`${HOT_KEY}#`));
    // The first 500 records of the second go out under the key; every one after it, spread.
    expect(spread).toHaveLength(75 * 100 - 500);
    expect(new Set(spread.map((record) => record.shard))).toEqual(new Set([0, 1]));
    expect(spread.every((record) => overflowOf(record) === true)).toBe(true);
    const others = kinesis.landed.filter((record) => !record.partitionKey.startsWith(HOT_KEY));
    expect(others).toHaveLength(75 * 8);
    for (const record of others) {
      expect(record.partitionKey).toBe(envelopeOf(record).user_id);
      expect(overflowOf(record)).toBeUndefined();
    }
    expect(notices.reduce((sum, notice) => sum + notice.overflowed, 0)).toBe(spread.length);
    expect(notices.flatMap((notice) => notice.turnedHot)).toEqual([
      { keyHash: partitionKeyHash(HOT_KEY), trigger: 'rate' },
    ]);
  });

  it('spills the same load without hot-key relief: the fake throttles as a shard does', async () => {
    const clock = new VirtualClock();
    const kinesis = new ThrottlingKinesis(2, clock.now);
    const { writer, spill } = containerPath(kinesis, clock);

    await clock.run(sendOverTime(clock, writer, 75, 20, hotLoad));

    expect(spill.kept.length).toBeGreaterThan(500);
    expect(spill.kept.every((record) => shardOf(record.partitionKey, 2) === shardOf(HOT_KEY, 2))).toBe(true);
    expect(kinesis.landed.some((record) => record.partitionKey.includes('#'))).toBe(false);
  });

  it('spreads a key that no container sees over the threshold once the stream throttles it', async () => {
    const clock = new VirtualClock();
    const kinesis = new ThrottlingKinesis(2, clock.now);
    // Four containers, each seeing 400 records/s of the key (under 500): 1,600/s on one shard.
    const containers = Array.from({ length: 4 }, () => containerPath(kinesis, clock, 500));

    await clock.run(
      Promise.all(
        containers.map(({ writer }) =>
          sendOverTime(clock, writer, 60, 50, () => Array.from({ length: 20 }, () => recordOf(HOT_KEY))),
        ),
      ),
    );

    expect(containers.flatMap(({ spill }) => spill.kept)).toEqual([]);
    const triggers = containers.flatMap(({ notices }) => notices.flatMap((notice) => notice.turnedHot));
    expect(triggers.length).toBeGreaterThan(0);
    expect(triggers.every(({ trigger }) => trigger === 'throttling')).toBe(true);
    expect(kinesis.landed.some((record) => record.partitionKey.startsWith(`${HOT_KEY}#`))).toBe(true);
    expect(kinesis.landed).toHaveLength(4 * 60 * 20);
  });
});

describe('HotKeyRecordWriter', () => {
  /** A writer that keeps what it is given and answers with `report`. */
  const keeping = (report: Partial<WriteReport> = {}) => {
    const written: OutgoingRecord[][] = [];
    const writer: RecordWriter = {
      write: async (records) => {
        written.push([...records]);
        return { failed: [], calls: 1, ...report };
      },
    };
    return { writer, written };
  };

  it('gives the key back its records once it has cooled down', async () => {
    let now = 1_800_000_000_000;
    const { writer, written } = keeping();
    const hotKeys = new HotKeyRecordWriter({
      writer,
      destinationId: 'd',
      recordsPerSecond: 10,
      now: () => now,
    });

    await hotKeys.write(
      Array.from({ length: 20 }, () => recordOf(HOT_KEY)),
      now + 1000,
    );
    now += 5_000;
    await hotKeys.write([recordOf(HOT_KEY)], now + 1000);
    now += 10_001;
    await hotKeys.write([recordOf(HOT_KEY)], now + 1000);

    const keys = written.map((batch) => batch.map((record) => record.partitionKey));
    expect(keys[0]?.slice(0, 10)).toEqual(Array(10).fill(HOT_KEY));
    expect(keys[0]?.slice(10)).toEqual(Array.from({ length: 10 }, (_, n) => `${HOT_KEY}#${n}`));
    expect(keys[1]).toEqual([`${HOT_KEY}#10`]);
    expect(keys[2]).toEqual([HOT_KEY]);
  });

  it('keeps spread keys within Kinesis 256 characters and cycles through all of them', async () => {
    const longKey = 'k'.repeat(256);
    const { writer, written } = keeping();
    const hotKeys = new HotKeyRecordWriter({
      writer,
      destinationId: 'd',
      recordsPerSecond: 10,
      now: () => 0,
    });

    await hotKeys.write(
      Array.from({ length: 11 + HOT_KEY_SPREAD }, () => recordOf(longKey)),
      1000,
    );

    const spread = (written[0] ?? []).slice(11).map((record) => record.partitionKey);
    expect(spread.every((key) => key.length <= 256)).toBe(true);
    expect(new Set(spread).size).toBe(HOT_KEY_SPREAD);
  });

  it('keeps the rest of the context and the routing a Segment-format record carries when it marks one', async () => {
    const { writer, written } = keeping();
    const hotKeys = new HotKeyRecordWriter({
      writer,
      destinationId: 'd',
      recordsPerSecond: 10,
      now: () => 0,
    });
    const segmentRecord = {
      data: Buffer.from(
        JSON.stringify({
          messageId: 'm-1',
          context: { ip: '203.0.113.7', kinesis_event_forwarder: { source_id: 'web', integration_id: 'd' } },
        }),
      ),
      partitionKey: HOT_KEY,
    };

    await hotKeys.write([...Array.from({ length: 11 }, () => recordOf(HOT_KEY)), segmentRecord], 1000);

    expect(envelopeOf(written[0]?.[11] as OutgoingRecord).context).toEqual({
      ip: '203.0.113.7',
      kinesis_event_forwarder: { source_id: 'web', integration_id: 'd', overflow: true },
    });
  });

  it('leaves a small key that shares a throttled shard in order', async () => {
    const { writer, written } = keeping({ throttledKeys: ['user-a'] });
    const hotKeys = new HotKeyRecordWriter({
      writer,
      destinationId: 'd',
      recordsPerSecond: 500,
      now: () => 0,
    });

    await hotKeys.write([recordOf('user-a'), recordOf('user-a')], 1000);
    await hotKeys.write([recordOf('user-a')], 1000);

    expect(written[1]?.[0]?.partitionKey).toBe('user-a');
  });

  it('keeps the throttled partition keys to itself: the report it returns names none', async () => {
    const { writer } = keeping({ throttledKeys: ['user-a'], throttledRecords: 1 });
    const hotKeys = new HotKeyRecordWriter({
      writer,
      destinationId: 'd',
      recordsPerSecond: 500,
      now: () => 0,
    });

    const report = await hotKeys.write([recordOf('user-a')], 1000);

    expect(report).toEqual({ failed: [], calls: 1, throttledRecords: 1 });
  });

  it('is the writer itself when the destination turns hot-key relief off', () => {
    const { writer } = keeping();

    expect(withHotKeyRelief(writer, { id: 'd', hotKeys: { enabled: false, recordsPerSecond: 500 } })).toBe(
      writer,
    );
  });
});
