import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, relative } from 'node:path';
import { type LoopbackServer, listenOnLoopback } from './listen-on-loopback';

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Every file under `dir`, as keys (`a/b/c.json.gz`), sorted. */
async function keysUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * A minimal S3 stand-in serving one folder as bucket `bucket` (path-style): ListObjectsV2 (by
 * prefix, `max-keys` per page with continuation tokens) and GetObject. Enough for `npm run replay
 * --bucket` to read an archive folder the way it reads Firehose's bucket; anything else answers 501.
 */
export async function startS3FolderServer(bucket: string, dir: string): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, name, ...rest] = url.pathname.split('/').filter((part, index) => index === 0 || part !== '');
    const answer = async (): Promise<void> => {
      if (request.method !== 'GET' || name !== bucket) {
        response.writeHead(501).end();
        return;
      }
      if (rest.length === 0 && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const maxKeys = Number(url.searchParams.get('max-keys') ?? '1000');
        const after = Number(url.searchParams.get('continuation-token') ?? '0');
        const keys = (await keysUnder(dir)).filter((key) => key.startsWith(prefix));
        const page = keys.slice(after, after + maxKeys);
        const truncated = after + maxKeys < keys.length;
        response
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(
            [
              '<?xml version="1.0" encoding="UTF-8"?>',
              '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
              `<Name>${bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>`,
              `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
              truncated ? `<NextContinuationToken>${after + maxKeys}</NextContinuationToken>` : '',
              ...page.map((key) => `<Contents><Key>${xml(key)}</Key><Size>1</Size></Contents>`),
              '</ListBucketResult>',
            ].join(''),
          );
        return;
      }
      const key = decodeURIComponent(rest.join('/'));
      try {
        const body = await readFile(join(dir, key));
        response.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        response
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
      }
    };
    answer().catch(() => response.writeHead(500).end());
  });
  return listenOnLoopback(server);
}
