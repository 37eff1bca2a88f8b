import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_FILE_SUFFIX } from '../archive/archive-layout';

/**
 * Where replay reads the archive from: the local folder (`ARCHIVE_DIR`) or the S3 bucket Firehose
 * fills. Keys are relative to the archive's root (`events/year=.../x.json.gz`), the same in both.
 */
export interface ArchiveSource {
  /** What the reader is told where it reads from. */
  readonly description: string;
  /** The archive files of one hour partition, sorted by key (empty when the partition has none). */
  list(partition: string): Promise<string[]>;
  /** A file's JSON lines, uncompressed. */
  read(key: string): Promise<Buffer>;
}

/** The local archive folder. */
export class FolderArchiveSource implements ArchiveSource {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `folder ${dir}`;
  }

  async list(partition: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, partition));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith(ARCHIVE_FILE_SUFFIX) && !name.startsWith('.'))
      .sort()
      .map((name) => `${partition}/${name}`);
  }

  async read(key: string): Promise<Buffer> {
    return gunzipSync(await readFile(join(this.dir, key)));
  }
}

/** The archive bucket: objects under `<prefix><partition>/`, GZIP JSON lines as Firehose writes them. */
export class S3ArchiveSource implements ArchiveSource {
  readonly description: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Before `events/` in every key, e.g. `archive/` (with its slash). @default '' */
    private readonly prefix = '',
  ) {
    this.description = `s3://${bucket}/${prefix}`;
  }

  async list(partition: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.prefix}${partition}/`,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? '';
        if (key.endsWith('.gz')) keys.push(key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async read(key: string): Promise<Buffer> {
    const object = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }),
    );
    const body = await object.Body?.transformToByteArray();
    if (body === undefined) throw new Error(`s3://${this.bucket}/${this.prefix}${key} has no body`);
    return gunzipSync(body);
  }
}
