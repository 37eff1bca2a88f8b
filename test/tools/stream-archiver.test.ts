import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { AggregatingRecordWriter } from '../../lambda/delivery/aggregating-record-writer';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { createKinesalite } from '../../local/kinesalite';
import { emulatorClient } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { checkpointPath } from '../../tools/archive/archive-checkpoint';
import { filesOf, partitionOf, partitionsBetween } from '../../tools/archive/archive-layout';
import { startStreamArchiver } from '../../tools/archive/stream-archiver';

/** Every archive file under `dir` (relative path) with its lines. */
async function archived(dir: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json.gz')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = gunzipSync(await readFile(path)).toString('utf8');
    files.set(relative(dir, path), text.split('\n').slice(0, -1));
  }
  return files;
}

const ids = (files: Map<string, string[]>) =>
  [...files.values()].flat().map((line) => (JSON.parse(line) as { event_id: string }).event_id);

async function put(client: KinesisClient, streamName: string, from: number, count: number): Promise<void> {
  await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: Array.from({ length: count }, (_, i) => ({
        Data: Buffer.from(JSON.stringify({ event_id: `e-${from + i}`, type: 'track' })),
        PartitionKey: `user-${(from + i) % 7}`,
      })),
    }),
  );
}

describe('the archive layout', () => {
  it('names the UTC hour partition of an arrival time', () => {
    expect(partitionOf('events', new Date('2026-03-04T05:59:59.999Z'))).toBe(
      'events/year=2026/month=03/day=04/hour=05',
    );
    expect(partitionOf('failed', new Date('2026-12-31T23:00:00Z'))).toBe(
      'failed/year=2026/month=12/day=31/hour=23',
    );
  });

  it('lists the hours of a range and one late hour after it, across a day boundary', () => {
    expect(
      partitionsBetween('events', new Date('2026-12-06T23:50:00Z'), new Date('2026-12-07T00:05:00Z')),
    ).toEqual([
      'events/year=2026/month=12/day=06/hour=23',
      'events/year=2026/month=12/day=07/hour=00',
      'events/year=2026/month=12/day=07/hour=01',
    ]);
  });

  it('splits a shard buffer spanning two hours into one file per hour, each named after its first record', () => {
    const record = (sequenceNumber: string, time: string) => ({
      sequenceNumber,
      arrivedAt: new Date(time),
      data: Buffer.from('{}'),
    });
    const files = filesOf('events', 'events', 'shardId-0', [
      record('1', '2026-12-06T20:59:59Z'),
      record('2', '2026-12-06T21:00:00Z'),
      record('3', '2026-12-06T21:00:01Z'),
    ]);
    expect(files.map((file) => [file.partition, file.name, file.records.length])).toEqual([
      ['events/year=2026/month=12/day=06/hour=20', 'events-shardId-0-1.json.gz', 1],
      ['events/year=2026/month=12/day=06/hour=21', 'events-shardId-0-2.json.gz', 2],
    ]);
  });
});

describe('the stream archiver against kinesalite', () => {
  const server = createKinesalite();
  let client: KinesisClient;
  let dir: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = emulatorClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'us-east-1');
    await ensureStream(client, 'archived', 2);
    dir = await mkdtemp(join(tmpdir(), 'stream-archiver-'));
  });

  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('archives each record once across a restart and after a flush repeated before its checkpoint', async () => {
    const start = () =>
      startStreamArchiver({
        client,
        dir,
        streams: [{ streamName: 'archived', prefix: 'events' }],
        pollMs: 100,
      });
    await put(client, 'archived', 0, 30);
    const first = await start();
    await first.stop();
    const afterFirst = await archived(dir);
    expect(ids(afterFirst).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `e-${i}`).sort());
    for (const path of afterFirst.keys()) {
      expect(path).toMatch(
        /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/archived-shardId-\d+-\d+\.json\.gz$/,
      );
    }
    const saved = ['shardId-000000000000', 'shardId-000000000001'].map((shard) =>
      checkpointPath(dir, 'archived', shard),
    );
    await Promise.all(saved.map((path) => copyFile(path, `${path}.first`)));

    await put(client, 'archived', 30, 20);
    const second = await start();
    await second.stop();
    expect(ids(await archived(dir)).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `e-${i}`).sort());

    // A crash after the second run's files but before its checkpoints: the same flush again.
    await Promise.all(saved.map((path) => copyFile(`${path}.first`, path)));
    const third = await start();
    await third.stop();
    const afterCrash = await archived(dir);
    expect(ids(afterCrash).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `e-${i}`).sort());
  });

  it('writes each event of a KPL-aggregated record as its own line, as Firehose de-aggregates', async () => {
    await ensureStream(client, 'aggregated', 1);
    const writer = new AggregatingRecordWriter(
      new KinesisRecordWriter({
        client,
        streamName: 'aggregated',
        backoff: { baseDelayMs: 10, maxDelayMs: 100 },
      }),
    );
    const report = await writer.write(
      Array.from({ length: 10 }, (_, i) => ({
        data: Buffer.from(JSON.stringify({ event_id: `agg-${i}` })),
        partitionKey: 'one-user',
      })),
      Date.now() + 10_000,
    );
    expect(report.failed).toEqual([]);
    const aggregatedDir = await mkdtemp(join(tmpdir(), 'stream-archiver-agg-'));
    try {
      const archiver = await startStreamArchiver({
        client,
        dir: aggregatedDir,
        streams: [{ streamName: 'aggregated', prefix: 'events' }],
        pollMs: 100,
      });
      await archiver.stop();
      expect(ids(await archived(aggregatedDir)).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `agg-${i}`).sort(),
      );
    } finally {
      await rm(aggregatedDir, { recursive: true, force: true });
    }
  });
});
