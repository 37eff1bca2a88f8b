import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../lambda/delivery/record-writer';
import { partitionOf } from '../../tools/archive/archive-layout';
import { FolderArchiveSource } from '../../tools/replay-archive/archive-source';
import { replayArchive } from '../../tools/replay-archive/replay-archive';

const FROM = new Date('2026-12-06T20:00:00Z');
const TO = new Date('2026-12-06T20:10:00Z');

const envelope = (id: string, receivedAt: string, userId = 'user-1') =>
  JSON.stringify({
    event_id: id,
    type: 'track',
    user_id: userId,
    anonymous_id: null,
    received_at: receivedAt,
    source_id: 'web',
    context: {},
  });

/** A writer that keeps what it is given, and refuses the event ids in `refuse` (until cleared). */
class RecordingWriter implements RecordWriter {
  readonly written: { id: string; partitionKey: string }[] = [];
  refuse = new Set<string>();

  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    const failed: WriteReport['failed'][number][] = [];
    records.forEach((record, index) => {
      const { event_id } = JSON.parse(Buffer.from(record.data).toString('utf8')) as { event_id: string };
      if (this.refuse.has(event_id))
        failed.push({ index, errorCode: 'InternalFailure', errorMessage: 'forced' });
      else this.written.push({ id: event_id, partitionKey: record.partitionKey });
    });
    return { failed, calls: 1 };
  }
}

describe('replayArchive over a folder', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-archive-'));
    const hour20 = join(dir, partitionOf('events', FROM));
    const hour19 = join(dir, partitionOf('events', new Date('2026-12-06T19:30:00Z')));
    await mkdir(hour20, { recursive: true });
    await mkdir(hour19, { recursive: true });
    await writeFile(
      join(hour20, 'events-shardId-0-1.json.gz'),
      gzipSync(
        [
          envelope('a', '2026-12-06T20:01:00Z'),
          envelope('b', '2026-12-06T20:02:00Z', 'user-2'),
          'not json',
          envelope('a', '2026-12-06T20:01:00Z'),
          envelope('late', '2026-12-06T20:10:00Z'),
          envelope('c', '2026-12-06T20:09:59Z'),
          '',
        ].join('\n'),
      ),
    );
    // Received before the range, archived in the hour before: never read.
    await writeFile(
      join(hour19, 'events-shardId-0-0.json.gz'),
      gzipSync(`${envelope('old', '2026-12-06T19:59:59Z')}\n`),
    );
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the range once per event_id across a resumed run, and after a refused batch only what was refused', async () => {
    const writer = new RecordingWriter();
    writer.refuse = new Set(['b']);
    const checkpointPath = join(dir, 'checkpoint.json');
    const options = {
      source: new FolderArchiveSource(dir),
      from: FROM,
      to: TO,
      targetName: 'replayed',
      writer,
      suppression: undefined,
      checkpointPath,
      batchSize: 2,
    };
    const first = await replayArchive(options);
    expect(first).toMatchObject({ read: 2, written: 1, skipped: 0, failed: 1, interrupted: true });
    expect(writer.written).toEqual([{ id: 'a', partitionKey: 'user-1' }]);
    expect(JSON.parse(await readFile(checkpointPath, 'utf8')).files).toEqual({
      'events/year=2026/month=12/day=06/hour=20/events-shardId-0-1.json.gz': { done: 2, pending: [1] },
    });

    writer.refuse = new Set();
    const second = await replayArchive(options);
    expect(second).toMatchObject({ read: 3, written: 2, skipped: 2, failed: 0, interrupted: false });
    expect(writer.written.map((record) => record.id)).toEqual(['a', 'b', 'c']);

    const third = await replayArchive(options);
    expect(third).toMatchObject({ written: 0, interrupted: false });
  });

  it('refuses a checkpoint of another run', async () => {
    const checkpointPath = join(dir, 'other.json');
    await writeFile(checkpointPath, JSON.stringify({ run: 'another', files: {} }));
    await expect(
      replayArchive({
        source: new FolderArchiveSource(dir),
        from: FROM,
        to: TO,
        targetName: 'replayed',
        writer: new RecordingWriter(),
        suppression: undefined,
        checkpointPath,
      }),
    ).rejects.toThrow(/belongs to another replay .*give a new --checkpoint file/);
  });
});
