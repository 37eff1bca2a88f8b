import type { RuntimeSource } from '../../../lambda/config/runtime-config';
import { parseRuntimeConfig } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { Ingest, type IngestOutcome } from '../../../lambda/ingest/ingest';

/** A writer that fails each record with the error code `codeOf` gives it (none: written). */
class CodedWriter implements RecordWriter {
  constructor(private readonly codeOf: (index: number) => string | undefined) {}
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    const failed = records.flatMap((_, index) => {
      const errorCode = this.codeOf(index);
      return errorCode === undefined ? [] : [{ index, errorCode, errorMessage: 'injected' }];
    });
    return { failed, calls: 1 };
  }
}

const THROTTLED = 'ProvisionedThroughputExceededException';

function sourceWith(destinations: string[]): RuntimeSource {
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: ['k'], destinations }],
    destinations: destinations.map((id) => ({ id, streamName: `s-${id}`, region: 'us-east-1' })),
  });
  return config.sources[0] as RuntimeSource;
}

async function ingestFour(writers: Record<string, RecordWriter>): Promise<IngestOutcome> {
  const ingest = new Ingest({ writers: new Map(Object.entries(writers)), maxEventBytes: 32 * 1024 });
  return ingest.ingest({
    source: sourceWith(Object.keys(writers)),
    messages: Array.from({ length: 4 }, (_, i) => ({
      type: 'track',
      event: 'Order Completed',
      userId: `u-${i}`,
      messageId: `m-${i}`,
    })),
    receivedAt: Date.now(),
    deadline: Date.now() + 1000,
  });
}

describe('Ingest: throttled (429) only when every failure is throttling', () => {
  it('reports throttling when every failed record was throttled', async () => {
    // Act
    const outcome = await ingestFour({ k: new CodedWriter((i) => (i < 2 ? THROTTLED : undefined)) });

    // Assess
    expect(outcome).toMatchObject({ kind: 'undelivered', throttled: true, accepted: 4 });
  });

  it('reports a fault, not throttling, when one destination throttles and another fails otherwise', async () => {
    // Act
    const outcome = await ingestFour({
      a: new CodedWriter(() => THROTTLED),
      b: new CodedWriter(() => 'InternalFailure'),
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'undelivered', throttled: false });
  });

  it('reports a fault, not throttling, when one destination has both throttled and failed records', async () => {
    // Act
    const outcome = await ingestFour({
      k: new CodedWriter((i) => (i % 2 === 0 ? THROTTLED : 'InternalFailure')),
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'undelivered', throttled: false });
    if (outcome.kind !== 'undelivered') throw new Error('expected undelivered');
    expect([...(outcome.undelivered[0]?.errorCodes ?? [])].sort()).toEqual(['InternalFailure', THROTTLED]);
  });

  it('reports delivered when every record of every destination was written', async () => {
    // Act
    const outcome = await ingestFour({
      a: new CodedWriter(() => undefined),
      b: new CodedWriter(() => undefined),
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 4 });
  });
});
