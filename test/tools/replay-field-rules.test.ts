import { createHash } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { ensureStream } from '../../local/streams';
import { replayFailed } from '../../tools/replay/replay-failed';
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
});
