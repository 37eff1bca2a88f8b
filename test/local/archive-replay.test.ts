import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance } from '@duckdb/node-api';
import { LOCAL_SUPPRESSION_TABLE_NAME } from '../../lambda/contract/suppression-table';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import { hashSuppressedId } from '../../lambda/events/suppression';
import { createDynalite } from '../../local/dynalite';
import { createKinesalite } from '../../local/kinesalite';
import { emulatorClient } from '../../local/local-mode';
import { emulatorDynamoDbClient, ensureSuppressionTable } from '../../local/seen-table';
import { ensureStream } from '../../local/streams';
import type { ReplayArchiveSummary } from '../../tools/replay-archive/replay-archive';
import { runReplayArchiveCli } from '../../tools/replay-archive/replay-archive-cli';
import { PROJECT_ROOT } from '../lib/support/test-app';
import { envelopeSchemaErrors } from '../support/envelope-schema';
import { killStarted, startLocalCollector, waitForBanner } from '../support/npm-start';
import { startS3FolderServer } from '../support/s3-folder-server';
import { readAllRecords } from '../support/stream-reader';

const EVENTS = 1_000;
const USERS = 20;
/** The user whose events are suppressed before the replay: 50 of the 1,000. */
const SUPPRESSED_USER = 'user-3';

/** The SQL block of docs/archive.md that starts with `comment`. */
function docsQuery(comment: string): string {
  const text = require('node:fs').readFileSync(join(PROJECT_ROOT, 'docs/archive.md'), 'utf8') as string;
  const block = [...text.matchAll(/```sql\n([\s\S]*?)```/g)].find((match) => match[1]?.startsWith(comment));
  if (block === undefined) throw new Error(`docs/archive.md has no sql block starting with "${comment}"`);
  return block[1] as string;
}

/** Every archive file under `dir`: its path relative to `dir` and its lines parsed. */
async function archiveFiles(dir: string): Promise<{ path: string; lines: Record<string, unknown>[] }[]> {
  const files = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json.gz')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = gunzipSync(await readFile(path)).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    files.push({
      path: relative(dir, path),
      lines: text
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    });
  }
  return files;
}

/** The event ids in the archive's files so far (files are renamed into place whole). */
async function archivedIds(dir: string): Promise<unknown[]> {
  try {
    return (await archiveFiles(dir)).flatMap((file) => file.lines.map((line) => line.event_id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The local collector's entry (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts)
 * with ARCHIVE_DIR, writing to this file's in-process kinesalite through KINESIS_ENDPOINT, the one
 * `npm run replay` replays into afterwards.
 */
describe('ARCHIVE_DIR=... with the local collector (bin/local-collector.ts), the DuckDB queries of docs/archive.md and npm run replay', () => {
  let work: string;
  let archive: string;
  let sentAt: Date;
  const kinesalite = createKinesalite();
  const dynalite = createDynalite();
  let kinesis: KinesisClient;
  let dynamodb: DynamoDBClient;
  let kinesisEndpoint: string;
  let dynamodbEndpoint: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'archive-replay-'));
    archive = join(work, 'archive');
    await Promise.all(
      [kinesalite, dynalite].map(
        (server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
      ),
    );
    kinesisEndpoint = `http://127.0.0.1:${(kinesalite.address() as AddressInfo).port}`;
    dynamodbEndpoint = `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`;
    const started = await startLocalCollector({
      ARCHIVE_DIR: archive,
      PORT: '0',
      KINESIS_ENDPOINT: kinesisEndpoint,
      // One shard: its 1,000 records fill the archiver's buffer, written at once rather than after 5 s.
      SHARD_COUNT: '1',
    });
    try {
      const { collectorUrl } = await waitForBanner(started);
      expect(started.output()).toContain(`Archive folder:   ${archive}`);
      sentAt = new Date();
      const authorization = `Basic ${Buffer.from('dev-write-key:').toString('base64')}`;
      for (let request = 0; request < EVENTS / 100; request++) {
        const batch = Array.from({ length: 100 }, (_, i) => {
          const n = request * 100 + i;
          return {
            type: n % 10 === 0 ? 'identify' : 'track',
            event: 'Clicked',
            userId: `user-${n % USERS}`,
            messageId: `m-${n}`,
          };
        });
        const response = await fetch(`${collectorUrl}/v1/batch`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        });
        expect(response.status).toBe(200);
      }
      // Written while the collector runs (at 1,000 records a shard, else within the 5 s interval).
      const until = Date.now() + 30_000;
      while ((await archivedIds(archive)).length < EVENTS && Date.now() < until) await sleep(250);
    } finally {
      await killStarted(started);
    }
    kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
    dynamodb = emulatorDynamoDbClient(dynamodbEndpoint, 'us-east-1');
    await ensureStream(kinesis, 'replayed', 2);
    await ensureSuppressionTable(dynamodb, LOCAL_SUPPRESSION_TABLE_NAME);
    await new DynamoDbSuppressionList({ client: dynamodb, tableName: LOCAL_SUPPRESSION_TABLE_NAME }).add(
      'dev',
      {
        kind: 'userId',
        hash: hashSuppressedId(LOCAL_DEV_HASH_KEY, SUPPRESSED_USER),
      },
    );
  }, 90_000);

  afterAll(async () => {
    kinesis?.destroy();
    dynamodb?.destroy();
    await Promise.all(
      [kinesalite, dynalite].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await rm(work, { recursive: true, force: true });
  });

  it('holds each of the 1,000 events once, in GZIP JSON lines under events/year=/month=/day=/hour=', async () => {
    const files = await archiveFiles(archive);
    for (const file of files) {
      expect(file.path).toMatch(
        /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/events-shardId-\d+-\d+\.json\.gz$/,
      );
    }
    const ids = files.flatMap((file) => file.lines.map((line) => line.event_id));
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
  });

  it("counts 1,000 with the docs' DuckDB query", async () => {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    // The docs' relative path 'archive/...' is read from the folder that holds archive/.
    await connection.run(`SET file_search_path = '${work}'`);
    const reader = await connection.runAndReadAll(docsQuery('-- every event in the archive'));
    expect(reader.getRowObjectsJson()).toEqual([{ events: String(EVENTS) }]);
    connection.closeSync();
  });

  /** `npm run replay` of a 10-minute range around the send, into stream `replayed`. */
  const replay = async (
    extra: readonly string[],
    signal?: AbortSignal,
    onProgress?: (s: ReplayArchiveSummary) => void,
  ) => {
    const from = new Date(sentAt.getTime() - 5 * 60_000);
    const lines: string[] = [];
    const code = await runReplayArchiveCli(
      [
        '--archive-dir',
        archive,
        '--from',
        from.toISOString(),
        '--to',
        new Date(from.getTime() + 10 * 60_000).toISOString(),
        '--to-stream',
        'replayed',
        '--endpoint',
        kinesisEndpoint,
        '--dynamodb-endpoint',
        dynamodbEndpoint,
        '--rate',
        '1000',
        ...extra,
      ],
      {},
      { log: (line) => lines.push(line), warn: (line) => lines.push(line), progress: (s) => onProgress?.(s) },
      signal,
    );
    return { code, output: lines.join('\n') };
  };

  it('writes nothing on a dry run, and counts what it would write', async () => {
    const { code, output } = await replay(['--dry-run']);
    expect(code).toBe(0);
    expect(output).toContain(
      'read 1000, written 950, skipped 0, suppressed 50, failed 0 (dry run: nothing written)',
    );
    expect(await readAllRecords(kinesis, 'replayed')).toEqual([]);
  });

  it('replays the range once each after an interruption, without the suppressed user, marked replayed_at', async () => {
    const checkpoint = join(work, 'replay.json');
    const stop = new AbortController();
    const interrupted = await replay(['--checkpoint', checkpoint], stop.signal, (summary) => {
      if (summary.written > 0) stop.abort();
    });
    expect(interrupted.code).toBe(1);
    expect(interrupted.output).toContain('stopped before the end: run the same command again');
    const firstRun = (await readAllRecords(kinesis, 'replayed')).length;
    expect(firstRun).toBeGreaterThan(0);
    expect(firstRun).toBeLessThan(950);

    const resumed = await replay(['--checkpoint', checkpoint]);
    expect(resumed.code).toBe(0);
    const records = await readAllRecords(kinesis, 'replayed');
    const ids = records.map((record) => record.json.event_id);
    expect(ids).toHaveLength(950);
    expect(new Set(ids).size).toBe(950);
    expect(records.filter((record) => record.json.user_id === SUPPRESSED_USER)).toEqual([]);
    for (const record of records) {
      expect(envelopeSchemaErrors(record.json)).toEqual([]);
      expect(record.partitionKey).toBe(record.json.user_id);
      expect(record.json.event_id).toMatch(/^m-\d+$/);
      const replayedAt = (record.json.context as { kinesis_event_forwarder?: { replayed_at?: string } })
        .kinesis_event_forwarder?.replayed_at;
      expect(Number.isNaN(Date.parse(replayedAt ?? ''))).toBe(false);
    }

    const again = await replay(['--checkpoint', checkpoint]);
    expect(again.code).toBe(0);
    expect(again.output).toContain('written 0');
    expect(await readAllRecords(kinesis, 'replayed')).toHaveLength(950);
  });

  it('reads the same layout from an S3 bucket, narrowed by --type', async () => {
    const s3 = await startS3FolderServer('archive-bucket', archive);
    try {
      const lines: string[] = [];
      const from = new Date(sentAt.getTime() - 5 * 60_000);
      const code = await runReplayArchiveCli(
        [
          '--bucket',
          'archive-bucket',
          '--s3-endpoint',
          s3.endpoint,
          '--from',
          from.toISOString(),
          '--to',
          new Date(from.getTime() + 10 * 60_000).toISOString(),
          '--type',
          'identify',
          '--to-stream',
          'replayed',
          '--endpoint',
          kinesisEndpoint,
          '--dynamodb-endpoint',
          dynamodbEndpoint,
          '--dry-run',
        ],
        {},
        { log: (line) => lines.push(line), warn: (line) => lines.push(line), progress: () => undefined },
      );
      expect(lines.join('\n')).toContain('read 1000, written 100, skipped 900, suppressed 0');
      expect(code).toBe(0);
    } finally {
      await s3.stop();
    }
  });
});
