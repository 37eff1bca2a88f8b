import type { KinesisClient, PutRecordsCommand, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import type { OutgoingRecord } from '../../../lambda/delivery/record-writer';
import { emulatorClient } from '../../../local/local-mode';
import { ensureStream } from '../../../local/streams';
import { readAllRecords } from '../../support/stream-reader';
import { startTestKinesis } from '../../support/test-collector';

const encoder = new TextEncoder();
const backoff = { baseDelayMs: 50, maxDelayMs: 1_000 };

/** `count` records shaped like envelopes, each naming its own index. */
function envelopes(count: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, n) => ({
    data: encoder.encode(
      JSON.stringify({
        event_id: `evt-${n}`,
        type: 'track',
        event: 'Order Completed',
        user_id: `user-${n % 37}`,
      }),
    ),
    partitionKey: `user-${n % 37}`,
  }));
}

/** Which record (by its `event_id`) a PutRecords entry carries. */
const eventIdOf = (data: Uint8Array | undefined) =>
  (JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { event_id: string }).event_id;

type Answer = (eventIds: string[], call: number) => PutRecordsResultEntry[] | Error;

/**
 * A stand-in for `KinesisClient` that answers each PutRecords call with `answer`, to force the
 * faults kinesalite cannot produce. Records what every call sent and with which options.
 */
function fakeKinesis(answer: Answer) {
  const calls: { eventIds: string[]; abortSignal?: AbortSignal }[] = [];
  const client = {
    async send(command: PutRecordsCommand, options?: { abortSignal?: AbortSignal }) {
      const eventIds = (command.input.Records ?? []).map((entry) => eventIdOf(entry.Data));
      calls.push({ eventIds, abortSignal: options?.abortSignal });
      const result = answer(eventIds, calls.length);
      if (result instanceof Error) throw result;
      return {
        $metadata: {},
        FailedRecordCount: result.filter((entry) => entry.ErrorCode).length,
        Records: result,
      };
    },
  };
  return { client: client as unknown as KinesisClient, calls };
}

const ok = (n: number): PutRecordsResultEntry => ({
  SequenceNumber: `4960${n}`,
  ShardId: 'shardId-000000000000',
});
const failure = (ErrorCode: string): PutRecordsResultEntry => ({
  ErrorCode,
  ErrorMessage: `${ErrorCode} on this record`,
});

/** An AWS SDK service error as the SDK throws it: `name` is the error code. */
function serviceError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name}: fake`), { name, $metadata: { httpStatusCode }, $fault: 'server' });
}

/** A writer whose clock and sleep are simulated: retries cost no real time. */
function instantWriter(client: KinesisClient, start = 1_000_000) {
  let clock = start;
  const slept: number[] = [];
  const writer = new KinesisRecordWriter({
    client,
    streamName: 'events',
    backoff,
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    random: () => 0.5,
  });
  return { writer, slept, deadlineIn: (ms: number) => start + ms };
}

describe('KinesisRecordWriter against kinesalite', () => {
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let client: KinesisClient;

  beforeAll(async () => {
    kinesis = await startTestKinesis();
    client = emulatorClient(kinesis.endpoint, 'us-east-1');
  });
  afterAll(async () => {
    client.destroy();
    await kinesis.stop();
  });

  it('writes 1200 records exactly once in 3 PutRecords calls', async () => {
    // Prepare
    await ensureStream(client, 'writer-1200', 2);
    const records = envelopes(1200);
    const writer = new KinesisRecordWriter({ client, streamName: 'writer-1200', backoff });

    // Act
    const report = await writer.write(records, Date.now() + 10_000);

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 3 });
    const stored = await readAllRecords(client, 'writer-1200');
    expect(stored).toHaveLength(1200);
    const ids = stored.map((record) => record.json.event_id as string);
    expect(new Set(ids).size).toBe(1200);
    expect(new Set(ids)).toEqual(new Set(records.map((_, n) => `evt-${n}`)));
    const byId = new Map(stored.map((record) => [record.json.event_id, record]));
    expect(byId.get('evt-38')?.partitionKey).toBe('user-1');
    expect(new Set(stored.map((record) => record.shardId)).size).toBe(2);
  });

  it('reports every record failed with ResourceNotFoundException when the stream does not exist', async () => {
    // Prepare
    const records = envelopes(3);
    const writer = new KinesisRecordWriter({ client, streamName: 'no-such-stream', backoff });

    // Act
    const report = await writer.write(records, Date.now() + 5_000);

    // Assess
    expect(report.calls).toBe(1);
    expect(report.failed.map((failed) => [failed.index, failed.errorCode])).toEqual([
      [0, 'ResourceNotFoundException'],
      [1, 'ResourceNotFoundException'],
      [2, 'ResourceNotFoundException'],
    ]);
  });
});

describe('KinesisRecordWriter retries', () => {
  it('re-sends only the 30% of records that were throttled, until all are written', async () => {
    // Prepare: records whose number ends in 0, 1 or 2 are throttled on their first try
    const throttledFirst = new Set(Array.from({ length: 100 }, (_, n) => n).filter((n) => n % 10 < 3));
    const { client, calls } = fakeKinesis((eventIds, call) =>
      eventIds.map((id, position) => {
        const n = Number(id.slice(4));
        return call === 1 && throttledFirst.has(n)
          ? failure('ProvisionedThroughputExceededException')
          : ok(position);
      }),
    );
    const { writer, slept, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(100), deadlineIn(6_000));

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 2, retries: 1, throttledRecords: 30 });
    // Each throttled record's partition key once: the hot-key writer's feedback.
    expect([...(report.throttledKeys ?? [])].sort()).toEqual(
      [...new Set([...throttledFirst].map((n) => `user-${n % 37}`))].sort(),
    );
    expect(calls[0]?.eventIds).toHaveLength(100);
    expect(calls[1]?.eventIds).toEqual([...throttledFirst].map((n) => `evt-${n}`));
    expect(slept).toEqual([25]);
  });

  it('keeps retrying the records that stay throttled, with growing backoff', async () => {
    // Prepare: evt-3 is throttled three times before it is taken
    const { client, calls } = fakeKinesis((eventIds, call) =>
      eventIds.map((id, position) =>
        id === 'evt-3' && call <= 3 ? failure('ProvisionedThroughputExceededException') : ok(position),
      ),
    );
    const { writer, slept, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(5), deadlineIn(6_000));

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 4 });
    expect(calls.slice(1).map((call) => call.eventIds)).toEqual([['evt-3'], ['evt-3'], ['evt-3']]);
    expect(slept).toEqual([25, 50, 100]);
  });

  it('retries records that failed with InternalFailure', async () => {
    // Prepare
    const { client, calls } = fakeKinesis((eventIds, call) =>
      eventIds.map((id, position) =>
        call === 1 && id === 'evt-1' ? failure('InternalFailure') : ok(position),
      ),
    );
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(3), deadlineIn(6_000));

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 2 });
    expect(calls[1]?.eventIds).toEqual(['evt-1']);
  });

  it('retries a record Kinesis gave no result for', async () => {
    // Prepare: the first answer lists only two of three records
    const { client, calls } = fakeKinesis((eventIds, call) =>
      call === 1 ? [ok(0), ok(1)] : eventIds.map((_, position) => ok(position)),
    );
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(3), deadlineIn(6_000));

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 2 });
    expect(calls[1]?.eventIds).toEqual(['evt-2']);
  });

  it.each([
    ['throttling of the whole call', () => serviceError('ProvisionedThroughputExceededException', 400)],
    ['a LimitExceededException', () => serviceError('LimitExceededException', 400)],
    ['a 500 InternalFailure', () => serviceError('InternalFailure', 500)],
    ['a 503 ServiceUnavailable', () => serviceError('ServiceUnavailable', 503)],
    ['a timeout', () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['a connection reset', () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
  ])('retries a call that failed with %s', async (_, fault) => {
    // Prepare
    const { client, calls } = fakeKinesis((eventIds, call) =>
      call === 1 ? fault() : eventIds.map((__, position) => ok(position)),
    );
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(4), deadlineIn(6_000));

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 2 });
    expect(calls[1]?.eventIds).toEqual(['evt-0', 'evt-1', 'evt-2', 'evt-3']);
  });

  it('reports the error code of a network error that has only a code', async () => {
    // Prepare: the network stays down past the deadline
    const { client } = fakeKinesis(() => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(2), deadlineIn(500));

    // Assess
    expect(report.failed.map((failed) => failed.errorCode)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect(report.failed[0]?.errorMessage).toBe('read ECONNRESET');
  });
});

describe('KinesisRecordWriter permanent errors', () => {
  it.each([['AccessDeniedException'], ['ResourceNotFoundException'], ['KMSAccessDeniedException']])(
    'does not retry a call refused with %s and reports its code for every record',
    async (code) => {
      // Prepare
      const { client, calls } = fakeKinesis(() => serviceError(code, 400));
      const { writer, slept, deadlineIn } = instantWriter(client);

      // Act
      const report = await writer.write(envelopes(3), deadlineIn(6_000));

      // Assess
      expect(calls).toHaveLength(1);
      expect(slept).toEqual([]);
      expect(report.calls).toBe(1);
      expect(report.failed).toEqual(
        [0, 1, 2].map((index) => ({ index, errorCode: code, errorMessage: `${code}: fake` })),
      );
    },
  );

  it('does not retry records refused with KMSAccessDeniedException and writes the others', async () => {
    // Prepare: evt-1 and evt-3 are refused for good; the rest are written
    const { client, calls } = fakeKinesis((eventIds) =>
      eventIds.map((id, position) =>
        id === 'evt-1' || id === 'evt-3' ? failure('KMSAccessDeniedException') : ok(position),
      ),
    );
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(5), deadlineIn(6_000));

    // Assess
    expect(calls).toHaveLength(1);
    expect(report.failed).toEqual([
      {
        index: 1,
        errorCode: 'KMSAccessDeniedException',
        errorMessage: 'KMSAccessDeniedException on this record',
      },
      {
        index: 3,
        errorCode: 'KMSAccessDeniedException',
        errorMessage: 'KMSAccessDeniedException on this record',
      },
    ]);
  });

  it('retries the throttled records of a call while failing its permanently refused ones', async () => {
    // Prepare
    const { client, calls } = fakeKinesis((eventIds, call) =>
      eventIds.map((id, position) => {
        if (id === 'evt-0') return failure('KMSAccessDeniedException');
        if (id === 'evt-2' && call === 1) return failure('ProvisionedThroughputExceededException');
        return ok(position);
      }),
    );
    const { writer, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(3), deadlineIn(6_000));

    // Assess
    expect(calls.map((call) => call.eventIds)).toEqual([['evt-0', 'evt-1', 'evt-2'], ['evt-2']]);
    expect(report.failed.map((failed) => [failed.index, failed.errorCode])).toEqual([
      [0, 'KMSAccessDeniedException'],
    ]);
  });
});

describe('KinesisRecordWriter deadline', () => {
  it('stops retrying before the deadline and reports the remaining records with the last error code', async () => {
    // Prepare: the first call throttles everything, later calls fail with InternalFailure
    const { client, calls } = fakeKinesis((eventIds, call) =>
      eventIds.map(() => failure(call === 1 ? 'ProvisionedThroughputExceededException' : 'InternalFailure')),
    );
    const { writer, slept, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(2), deadlineIn(1_000));

    // Assess: delays 25, 50, 100, 200, 400 (random 0.5); the next (500) would pass the deadline
    expect(slept).toEqual([25, 50, 100, 200, 400]);
    expect(slept.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(1_000);
    expect(calls).toHaveLength(6);
    expect(report.calls).toBe(6);
    expect(report.failed).toEqual([
      { index: 0, errorCode: 'InternalFailure', errorMessage: 'InternalFailure on this record' },
      { index: 1, errorCode: 'InternalFailure', errorMessage: 'InternalFailure on this record' },
    ]);
  });

  it('makes one call and no retry when the budget is already spent', async () => {
    // Prepare
    const { client, calls } = fakeKinesis((eventIds) => eventIds.map(() => failure('InternalFailure')));
    const { writer, slept, deadlineIn } = instantWriter(client);

    // Act
    const report = await writer.write(envelopes(1), deadlineIn(50));

    // Assess
    expect(calls).toHaveLength(1);
    expect(slept).toEqual([]);
    expect(report.failed).toHaveLength(1);
  });

  it('passes send an abort signal that fires at the deadline', async () => {
    // Prepare: a call that hangs until it is aborted
    const signals: AbortSignal[] = [];
    const hanging = {
      send: (_: PutRecordsCommand, options: { abortSignal: AbortSignal }) => {
        signals.push(options.abortSignal);
        return new Promise((_resolve, reject) => {
          options.abortSignal.addEventListener('abort', () => reject(options.abortSignal.reason));
        });
      },
    } as unknown as KinesisClient;
    const writer = new KinesisRecordWriter({ client: hanging, streamName: 'events', backoff });
    const started = Date.now();

    // Act
    const report = await writer.write(envelopes(2), started + 80);

    // Assess
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report.failed.map((failed) => failed.errorCode)).toEqual(['TimeoutError', 'TimeoutError']);
  });

  it('gives every call a signal that is not yet aborted', async () => {
    // Prepare
    const { client, calls } = fakeKinesis((eventIds) => eventIds.map((_, position) => ok(position)));
    const writer = new KinesisRecordWriter({ client, streamName: 'events', backoff });

    // Act
    await writer.write(envelopes(2), Date.now() + 5_000);

    // Assess
    expect(calls[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.abortSignal?.aborted).toBe(false);
  });
});

describe('KinesisRecordWriter call concurrency', () => {
  it('keeps at most four PutRecords calls of one write in flight, and still writes every record', async () => {
    // Prepare: a client that answers every call successfully after a tick, counting calls in flight
    let inFlight = 0;
    let mostInFlight = 0;
    const client = {
      send: async (command: { input: { Records: unknown[] } }) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return {
          FailedRecordCount: 0,
          Records: command.input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 's' })),
        };
      },
    } as unknown as KinesisClient;
    const writer = new KinesisRecordWriter({
      client,
      streamName: 's',
      backoff: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    const records = Array.from({ length: 6000 }, (_, n) => ({
      data: Buffer.from(`{"n":${n}}`),
      partitionKey: `k-${n}`,
    }));

    // Act
    const report = await writer.write(records, Date.now() + 5_000);

    // Assess
    expect(report).toMatchObject({ failed: [], calls: 12 });
    expect(mostInFlight).toBe(4);
  });
});
