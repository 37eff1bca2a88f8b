import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSpillStore } from '../../../lambda/delivery/file-spill-store';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import type { SpilledRecord, SpillReport, SpillStore } from '../../../lambda/delivery/spill-store';
import { SpillingRecordWriter, withSpill } from '../../../lambda/delivery/spilling-record-writer';
import { readSpillFiles, rewriteSpillFile } from '../../../tools/redrive/file-spill-source';

const records: OutgoingRecord[] = [0, 1, 2, 3].map((n) => ({
  data: Buffer.from(JSON.stringify({ event_id: `e-${n}` })),
  partitionKey: `p-${n}`,
}));

/** A stream writer that fails the given indices with the given code. */
const failing = (indices: number[], errorCode = 'ProvisionedThroughputExceededException') => {
  const deadlines: number[] = [];
  const writer: RecordWriter = {
    write: async (_records, deadline): Promise<WriteReport> => {
      deadlines.push(deadline);
      return { failed: indices.map((index) => ({ index, errorCode, errorMessage: 'x' })), calls: 1 };
    },
  };
  return { writer, deadlines };
};

class MemoryStore implements SpillStore {
  readonly kept: SpilledRecord[] = [];
  constructor(private readonly refuse: (record: SpilledRecord) => boolean = () => false) {}
  async spill(batch: readonly SpilledRecord[]): Promise<SpillReport> {
    const failed = batch.flatMap((record, index) => {
      if (this.refuse(record)) return [{ index, errorCode: 'Down', errorMessage: 'down' }];
      this.kept.push(record);
      return [];
    });
    return { failed };
  }
}

describe('SpillingRecordWriter', () => {
  it('reports nothing failed when every refused record is spilled, and spills exactly those', async () => {
    const store = new MemoryStore();
    const notices: unknown[] = [];
    const writer = new SpillingRecordWriter({
      writer: failing([1, 3]).writer,
      destinationId: 'kinesis',
      store,
      now: () => Date.parse('2024-05-01T00:00:00Z'),
      onSpill: (notice) => notices.push(notice),
    });

    const report = await writer.write(records, Date.parse('2024-05-01T00:00:06Z'));

    expect(report).toEqual({ failed: [], calls: 1, spilled: [1, 3] });
    expect(store.kept).toEqual([
      {
        destinationId: 'kinesis',
        partitionKey: 'p-1',
        data: records[1]?.data,
        eventId: 'e-1',
        failedAt: '2024-05-01T00:00:00.000Z',
        errorCode: 'ProvisionedThroughputExceededException',
      },
      expect.objectContaining({ partitionKey: 'p-3', eventId: 'e-3' }),
    ]);
    expect(notices).toEqual([
      {
        destinationId: 'kinesis',
        spilled: 2,
        unsaved: 0,
        errorCodes: ['ProvisionedThroughputExceededException'],
      },
    ]);
  });

  it('reports the records the spill store refused too, with the stream error code', async () => {
    const store = new MemoryStore((record) => record.eventId === 'e-3');
    const writer = withSpill(failing([1, 3]).writer, 'kinesis', store);

    const report = await writer.write(records, Date.now() + 5000);

    expect(report.failed).toEqual([
      { index: 3, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'x', spillFailed: true },
    ]);
  });

  it('reports every refused record failed when the spill store throws', async () => {
    const store: SpillStore = { spill: () => Promise.reject(new Error('boom')) };
    const writer = withSpill(failing([0, 2], 'InternalFailure').writer, 'kinesis', store);
    expect((await writer.write(records, Date.now() + 5000)).failed.map((f) => f.index)).toEqual([0, 2]);
  });

  it('gives the stream writer the deadline minus the spill reserve, at most half of what is left', async () => {
    const now = 1_000_000;
    const stream = failing([]);
    const writer = new SpillingRecordWriter({
      writer: stream.writer,
      destinationId: 'k',
      store: new MemoryStore(),
      spillReserveMs: 1000,
      now: () => now,
    });
    await writer.write(records, now + 6000);
    await writer.write(records, now + 800);
    await writer.write(records, now + 801);
    // Whole milliseconds: AbortSignal.timeout refuses fractions with a RangeError.
    expect(stream.deadlines).toEqual([now + 5000, now + 400, now + 401]);
  });

  it('returns the writer itself when there is no spill store', () => {
    const { writer } = failing([]);
    expect(withSpill(writer, 'k', undefined)).toBe(writer);
  });
});

describe('FileSpillStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spill-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes complete JSON-lines files that read back byte for byte, and rewrites what is left', async () => {
    const store = new FileSpillStore(join(dir, 'nested'));
    const batch: SpilledRecord[] = records.map((record, n) => ({
      destinationId: 'kinesis',
      partitionKey: record.partitionKey,
      data: record.data,
      eventId: `e-${n}`,
      failedAt: '2024-05-01T00:00:00.000Z',
      errorCode: 'InternalFailure',
    }));

    expect(await store.spill(batch.slice(0, 2), 0)).toEqual({ failed: [] });
    expect(await store.spill(batch.slice(2), 0)).toEqual({ failed: [] });

    const files = await readSpillFiles(join(dir, 'nested'));
    expect(files.flatMap((file) => file.records.map((r) => r.eventId)).sort()).toEqual([
      'e-0',
      'e-1',
      'e-2',
      'e-3',
    ]);
    expect(Buffer.from(files[0]?.records[0]?.data ?? []).equals(Buffer.from(records[0]?.data ?? []))).toBe(
      true,
    );
    expect((await readdir(join(dir, 'nested'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const first = files[0] as { name: string; records: SpilledRecord[] };
    await rewriteSpillFile(join(dir, 'nested'), first.name, first.records.slice(1));
    const after = await readSpillFiles(join(dir, 'nested'));
    expect(after.flatMap((file) => file.records.map((r) => r.eventId))).toHaveLength(3);
  });

  it('reports every record failed when the directory cannot be written', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const store = new FileSpillStore(join(dir, 'a-file', 'spill'));
    const report = await store.spill(
      [
        {
          destinationId: 'k',
          partitionKey: 'p',
          data: Buffer.from('{}'),
          eventId: 'e',
          failedAt: '',
          errorCode: 'X',
        },
      ],
      0,
    );
    expect(report.failed).toEqual([expect.objectContaining({ index: 0 })]);
  });

  it('reads nothing from a directory that does not exist', async () => {
    expect(await readSpillFiles(join(dir, 'missing'))).toEqual([]);
  });
});
