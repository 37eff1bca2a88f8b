import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { hashValue } from '../../lambda/events/field-rules';
import { ensureStream } from '../../local/streams';
import { runReplayCli } from '../../tools/replay/replay-cli';
import { replayFailed } from '../../tools/replay/replay-failed';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager-server';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('replay-failed under field rules', () => {
  const kinesis = useTestKinesis();

  it('never applies the source’s rules twice to a record that says they were applied, and applies them once to one that does not', async () => {
    // Prepare: a source that plain-hashes traits.email (hashing twice would change the value); two
    // refused events in the failed-events stream, one written with the rules applied, one from before.
    const streamName = 'replay-rules';
    const failedStreamName = `${streamName}-failed`;
    await ensureStream(kinesis.client, streamName, 1);
    await ensureStream(kinesis.client, failedStreamName, 1);
    const config = parseRuntimeConfig({
      sources: [
        {
          id: 'web',
          writeKeys: ['k'],
          destinations: ['d'],
          pipeline: { redact: { hash: ['traits.email'], hashAlgorithm: 'sha256' } },
        },
      ],
      destinations: [
        { id: 'd', streamName, failedStreamName, region: 'us-east-1', endpoint: kinesis.endpoint },
      ],
    });
    const failure = (eventId: string, email: string, applied: boolean) => ({
      failure: { reason: 'userId or anonymousId is required', code: 'missing_id', stage: 'validation' },
      event_id: eventId,
      source_id: 'web',
      received_at: new Date().toISOString(),
      request: {
        path: '/v1/identify',
        contentType: 'application/json',
        contentEncoding: null,
        bytes: 10,
        index: 0,
      },
      payload: { type: 'identify', userId: 'fixed-now', messageId: eventId, traits: { email } },
      ...(applied ? { redaction: { applied: true, key_version: null } } : {}),
    });
    await kinesis.client.send(
      new PutRecordsCommand({
        StreamName: failedStreamName,
        Records: [
          failure('applied', sha256('ann@example.com'), true),
          failure('before', 'bob@example.com', false),
        ].map((record) => ({ Data: Buffer.from(JSON.stringify(record)), PartitionKey: record.event_id })),
      }),
    );

    // Act
    const summary = await replayFailed({
      client: kinesis.client,
      failedStreamName,
      config,
      since: new Date(Date.now() - 60_000),
      writer: new KinesisRecordWriter({ client: kinesis.client, streamName, backoff: config.delivery }),
      timestampOnClient: true,
    });

    // Assess
    expect(summary).toMatchObject({ read: 2, replayed: 2, stillFailing: {} });
    const main = await readAllRecords(kinesis.client, streamName);
    const emails = Object.fromEntries(
      main.map((record) => [record.json.event_id, (record.json.traits as { email: string }).email]),
    );
    expect(emails).toEqual({ applied: sha256('ann@example.com'), before: sha256('bob@example.com') });
  });

  it('never refuses a replayed event because a rule changed a value the tracking plan checks (a hashed format: email field)', async () => {
    // Prepare: a source that hashes *.email with the key and whose plan wants traits.email to be an email.
    const streamName = 'replay-plan-rules';
    const failedStreamName = `${streamName}-failed`;
    await ensureStream(kinesis.client, streamName, 1);
    await ensureStream(kinesis.client, failedStreamName, 1);
    const config = parseRuntimeConfig({
      sources: [
        {
          id: 'web',
          writeKeys: ['k'],
          destinations: ['d'],
          pipeline: { redact: { hash: ['*.email'] } },
          trackingPlan: {
            events: {},
            traits: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
            violations: 'block',
          },
        },
      ],
      destinations: [
        { id: 'd', streamName, failedStreamName, region: 'us-east-1', endpoint: kinesis.endpoint },
      ],
    });
    const hashed = `hmac-sha256:v1:${'ab'.repeat(32)}`;
    const record = {
      failure: { reason: 'userId or anonymousId is required', code: 'missing_id', stage: 'validation' },
      event_id: 'hashed-email',
      source_id: 'web',
      received_at: new Date().toISOString(),
      request: {
        path: '/v1/identify',
        contentType: 'application/json',
        contentEncoding: null,
        bytes: 10,
        index: 0,
      },
      payload: { type: 'identify', userId: 'fixed-now', traits: { email: hashed, plan: 'pro' } },
      redaction: { applied: true, key_version: 'v1' },
    };
    await kinesis.client.send(
      new PutRecordsCommand({
        StreamName: failedStreamName,
        Records: [{ Data: Buffer.from(JSON.stringify(record)), PartitionKey: 'p' }],
      }),
    );

    // Act
    const summary = await replayFailed({
      client: kinesis.client,
      failedStreamName,
      config,
      since: new Date(Date.now() - 60_000),
      writer: new KinesisRecordWriter({ client: kinesis.client, streamName, backoff: config.delivery }),
      timestampOnClient: true,
    });

    // Assess
    expect(summary).toMatchObject({ read: 1, replayed: 1, stillFailing: {} });
    const [main] = await readAllRecords(kinesis.client, streamName);
    expect(main?.json.traits).toEqual({ email: hashed, plan: 'pro' });
  });

  describe('the command (npm run replay-failed) and the deployed hash key', () => {
    let dir: string;
    let secrets: TestSecretsManager;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'replay-key-'));
      secrets = await startTestSecretsManager();
    });
    afterAll(async () => {
      await secrets?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    /** A key-free document whose source hashes *.email with the key and wants traits.email to be an email. */
    async function documentFile(streamName: string): Promise<string> {
      const file = join(dir, `${streamName}.json`);
      await writeFile(
        file,
        JSON.stringify({
          sources: [
            {
              id: 'web',
              destinations: ['d'],
              pipeline: { redact: { hash: ['*.email'] } },
              trackingPlan: {
                events: {},
                traits: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
                violations: 'block',
              },
            },
          ],
          destinations: [
            { id: 'd', streamName, failedStreamName: `${streamName}-failed`, region: 'us-east-1' },
          ],
        }),
      );
      return file;
    }

    async function replay(argv: string[], env: NodeJS.ProcessEnv = {}) {
      const lines: string[] = [];
      const code = await runReplayCli(argv, env, { log: (l) => lines.push(l), progress: () => undefined });
      return { code, output: lines.join('\n') };
    }

    it('reads the key from --hash-key-secret: a record from before the rules gets the deployed keyed hash once, one with the rules applied is replayed as it is', async () => {
      // Prepare: the deployment's key (v1) in the Secrets Manager stand-in; two refused identifies.
      const streamName = 'replay-deployed-key';
      const failedStreamName = `${streamName}-failed`;
      await ensureStream(kinesis.client, streamName, 1);
      await ensureStream(kinesis.client, failedStreamName, 1);
      const deployedKey = { version: 'v1', secret: 'e'.repeat(64) };
      const keyArn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hash-key-AbCdEf';
      secrets.put(keyArn, JSON.stringify({ version: deployedKey.version, key: deployedKey.secret }));
      const applied = hashValue('ann@example.com', 'hmac-sha256', deployedKey);
      const failure = (eventId: string, email: string, redaction?: object) => ({
        failure: { reason: 'userId or anonymousId is required', code: 'missing_id', stage: 'validation' },
        event_id: eventId,
        source_id: 'web',
        received_at: new Date().toISOString(),
        request: {
          path: '/v1/identify',
          contentType: 'application/json',
          contentEncoding: null,
          bytes: 10,
          index: 0,
        },
        payload: { type: 'identify', userId: 'fixed-now', messageId: eventId, traits: { email } },
        ...(redaction === undefined ? {} : { redaction }),
      });
      await kinesis.client.send(
        new PutRecordsCommand({
          StreamName: failedStreamName,
          Records: [
            failure('applied', applied, { applied: true, key_version: 'v1' }),
            failure('before', 'Bob@Example.com'),
          ].map((record) => ({ Data: Buffer.from(JSON.stringify(record)), PartitionKey: record.event_id })),
        }),
      );

      // Act
      const run = await replay(
        [
          '--stream',
          failedStreamName,
          '--since',
          '1h',
          '--config',
          await documentFile(streamName),
          '--endpoint',
          kinesis.endpoint,
          '--hash-key-secret',
          keyArn,
        ],
        { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
      );

      // Assess
      expect(run).toMatchObject({ code: 0, output: expect.stringContaining('replayed 2') });
      expect(run.output).not.toContain('Still failing');
      const main = await readAllRecords(kinesis.client, streamName);
      const emails = Object.fromEntries(
        main.map((record) => [record.json.event_id, (record.json.traits as { email: string }).email]),
      );
      expect(emails).toEqual({
        applied,
        before: hashValue('bob@example.com', 'hmac-sha256', deployedKey),
      });
      expect(secrets.reads.get(keyArn)).toBe(1);
    });

    it('refuses to replay a document with keyed rules against AWS without the deployed key, naming the flag', async () => {
      await expect(
        replay(['--stream', 'events-failed', '--since', '1h', '--config', await documentFile('events')]),
      ).rejects.toThrow(
        /source "web" hash with the deployment's key: give --hash-key-secret <HashKeySecretArn output>/,
      );
    });
  });
});
