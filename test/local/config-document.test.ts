import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorClient } from '../../local/local-mode';
import { killStarted, startLocalCollector, waitForBanner } from '../support/npm-start';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function writeDocument(document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'config-document-')), 'collector.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/**
 * The local collector's entry (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts)
 * with a document; the real `npm start -- --config` runs an example in test/examples. One in-process
 * kinesalite through KINESIS_ENDPOINT for all: each test names its own streams.
 */
describe('the local collector (bin/local-collector.ts) with a configuration document', () => {
  const sharedKinesis = useTestKinesis();

  it('serves both sources of COLLECTOR_CONFIG_FILE, creates both streams and writes each event where configured', async () => {
    // Prepare
    const file = writeDocument({
      sources: [
        { id: 'web', writeKeys: ['web-key-0001'], destinations: ['main', 'archive'] },
        { id: 'backend', writeKeys: ['backend-key-0002'], destinations: ['main'] },
      ],
      destinations: [
        { id: 'main', streamName: 'bar-main', region: 'us-east-1' },
        { id: 'archive', streamName: 'bar-archive', region: 'us-east-1' },
      ],
    });
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      COLLECTOR_CONFIG_FILE: file,
    });
    try {
      const { collectorUrl, kinesisEndpoint } = await waitForBanner(started);
      const banner = started.output();
      expect(banner).toContain('Streams:          bar-main, bar-archive');
      expect(banner).toContain('web (write keys web-****) -> main, archive');
      expect(banner).toContain('backend (write keys back****) -> main');
      expect(banner).toContain('archive -> stream "bar-archive" (emulator)');
      expect(banner).toMatch(/Pipelines:\n\s+web: format envelope/);
      // The key is on this machine already: only the curl line shows it whole, to work as pasted.
      expect(banner.split('\n').filter((line) => line.includes('web-key-0001'))).toEqual([
        "  curl -s -u web-key-0001: -H 'content-type: application/json' \\",
      ]);

      // Act
      const answers = await Promise.all(
        [
          ['web-key-0001', 'from-web'],
          ['backend-key-0002', 'from-backend'],
        ].map(([key, messageId]) =>
          fetch(`${collectorUrl}/v1/track`, {
            method: 'POST',
            headers: { authorization: basic(key as string) },
            body: JSON.stringify({ userId: 'user-1', event: 'Signed Up', messageId }),
          }),
        ),
      );

      // Assess
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      const routed = async (stream: string) =>
        (await readAllRecords(kinesis, stream))
          .map((record) => [record.json.event_id, record.json.source_id, record.json.integration_id])
          .sort();
      expect(await routed('bar-main')).toEqual([
        ['from-backend', 'backend', 'main'],
        ['from-web', 'web', 'main'],
      ]);
      expect(await routed('bar-archive')).toEqual([['from-web', 'web', 'archive']]);
      kinesis.destroy();
    } finally {
      await killStarted(started);
    }
  }, 90_000);

  it('takes the document from -- --config as well', async () => {
    const file = writeDocument({
      sources: [{ id: 'cli', writeKeys: ['cli-key-0003'], destinations: ['only'] }],
      destinations: [{ id: 'only', streamName: 'from-cli', region: 'us-east-1' }],
    });
    const started = await startLocalCollector({ PORT: '0', KINESIS_ENDPOINT: sharedKinesis.endpoint }, [
      '--config',
      file,
    ]);
    try {
      const { collectorUrl } = await waitForBanner(started);
      expect(started.output()).toContain(`Configuration:    ${file}`);
      const answer = await fetch(`${collectorUrl}/v1/identify`, {
        method: 'POST',
        headers: { authorization: basic('cli-key-0003') },
        body: JSON.stringify({ userId: 'user-2' }),
      });
      expect(answer.status).toBe(200);
      const unknown = await fetch(`${collectorUrl}/v1/identify`, {
        method: 'POST',
        headers: { authorization: basic('dev-write-key') },
        body: JSON.stringify({ userId: 'user-2' }),
      });
      expect(unknown.status).toBe(401);
    } finally {
      await killStarted(started);
    }
  }, 90_000);

  it('runs a key-free document with the keys of WRITE_KEYS_FILE, and a printed development key for a source the file lacks', async () => {
    // Prepare: the document cdk deploy takes (no write keys) and a keys file in the secret's shape.
    const file = writeDocument({
      sources: [
        { id: 'web', destinations: ['main'] },
        { id: 'app', destinations: ['main'] },
      ],
      destinations: [{ id: 'main', streamName: 'keyless-main', region: 'us-east-1' }],
    });
    const keysFile = join(mkdtempSync(join(tmpdir(), 'write-keys-')), 'write-keys.json');
    writeFileSync(keysFile, JSON.stringify({ web: ['web-file-key-0004'] }));
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      COLLECTOR_CONFIG_FILE: file,
      WRITE_KEYS_FILE: keysFile,
    });
    try {
      const { collectorUrl } = await waitForBanner(started);
      const banner = started.output();
      expect(banner).toContain(`Write keys file:  ${keysFile}`);
      expect(banner).toContain('web (write keys web-****) -> main');
      expect(banner).toMatch(/Development write keys .*\n\s+app: dev-app-write-key/);
      expect(banner.split('\n').filter((line) => line.includes('web-file-key-0004'))).toEqual([
        "  curl -s -u web-file-key-0004: -H 'content-type: application/json' \\",
      ]);
      expect(banner).not.toContain('WARNING');

      // Act
      const send = (key: string) =>
        fetch(`${collectorUrl}/v1/identify`, {
          method: 'POST',
          headers: { authorization: basic(key) },
          body: JSON.stringify({ userId: 'user-3' }),
        });
      const statuses = [
        (await send('web-file-key-0004')).status,
        (await send('dev-app-write-key')).status,
        (await send('dev-web-write-key')).status,
      ];

      // Assess: the development key is made only for the source without a key.
      expect(statuses).toEqual([200, 200, 401]);
    } finally {
      await killStarted(started);
    }
  }, 90_000);

  it('warns that deploy refuses the inline write keys of a document, and runs it', async () => {
    const file = writeDocument({
      sources: [{ id: 'inline', writeKeys: ['inline-key-0005'], destinations: ['main'] }],
      destinations: [{ id: 'main', streamName: 'inline-main', region: 'us-east-1' }],
    });
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      COLLECTOR_CONFIG_FILE: file,
    });
    try {
      const { collectorUrl } = await waitForBanner(started);
      expect(started.output()).toMatch(
        /WARNING: the document writes write keys inline \(sources inline\): they work here, but cdk deploy -c collectorConfig refuses them/,
      );
      const answer = await fetch(`${collectorUrl}/v1/identify`, {
        method: 'POST',
        headers: { authorization: basic('inline-key-0005') },
        body: JSON.stringify({ userId: 'user-4' }),
      });
      expect(answer.status).toBe(200);
    } finally {
      await killStarted(started);
    }
  }, 90_000);

  it('exits 2 listing every problem of an invalid document, with the messages of the Lambda', async () => {
    const file = writeDocument({
      sources: [{ id: 'web', writeKeys: ['k1'], destinations: ['nowhere'] }],
      destinations: [{ id: 'main', streamName: '', region: 'us-east-1', shards: 3 }],
    });
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      COLLECTOR_CONFIG_FILE: file,
    });
    try {
      expect(await started.exited).toBe(2);
      const output = started.output();
      expect(output).toContain(`Invalid collector file ${file}:`);
      expect(output).toContain('destinations.0.streamName:');
      expect(output).toContain('destinations.0: Unrecognized key: "shards"');
      expect(output).toContain('sources.0.destinations.0: no destination has id "nowhere"');
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      await killStarted(started);
    }
  }, 60_000);
});
