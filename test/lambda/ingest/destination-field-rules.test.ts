import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { hashValue, LOCAL_DEV_HASH_KEY } from '../../../lambda/events/field-rules';
import { Ingest } from '../../../lambda/ingest/ingest';

/** A writer that keeps what it is given. */
class MemoryWriter implements RecordWriter {
  readonly records: OutgoingRecord[] = [];
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    this.records.push(...records);
    return { failed: [], calls: 1 };
  }
  json(): Record<string, unknown>[] {
    return this.records.map((r) => JSON.parse(Buffer.from(r.data).toString('utf8')));
  }
}

describe('field rules per destination', () => {
  it.each(['envelope', 'segment'] as const)(
    'applies a destination’s rules after the source’s, to that destination’s %s records only',
    async (recordFormat) => {
      // Prepare: the source hashes *.email; the archive destination also drops the phone and masks the card.
      const config = parseRuntimeConfig({
        sources: [
          {
            id: 'web',
            writeKeys: ['k'],
            destinations: ['analytics', 'archive'],
            pipeline: { recordFormat, redact: { hash: ['*.email'] } },
          },
        ],
        destinations: [
          { id: 'analytics', streamName: 'events', region: 'us-east-1' },
          {
            id: 'archive',
            streamName: 'archive',
            region: 'us-east-1',
            redact: { drop: ['traits.phone'], mask: [{ path: 'properties.card', keepEnd: 4 }] },
          },
        ],
      });
      const analytics = new MemoryWriter();
      const archive = new MemoryWriter();
      const ingest = new Ingest({
        writers: new Map<string, RecordWriter>([
          ['analytics', analytics],
          ['archive', archive],
        ]),
        maxEventBytes: 32 * 1024,
        hashKey: LOCAL_DEV_HASH_KEY,
        destinationRedact: new Map(
          config.destinations.flatMap((d) => (d.redact === undefined ? [] : [[d.id, d.redact] as const])),
        ),
      });

      // Act
      await ingest.ingest({
        source: config.sources[0] as RuntimeSource,
        messages: [
          {
            type: 'identify',
            messageId: 'm-1',
            userId: 'u1',
            traits: { email: 'ann@example.com', phone: '+44 20 7946 0000' },
            properties: { card: '4111111111111111' },
          },
        ],
        receivedAt: Date.parse('2026-12-06T19:00:00.000Z'),
        deadline: Date.now() + 1000,
      });

      // Assess
      const email = hashValue('ann@example.com', 'hmac-sha256', LOCAL_DEV_HASH_KEY);
      const [kept] = analytics.json();
      const [archived] = archive.json();
      expect(kept?.traits).toEqual({ email, phone: '+44 20 7946 0000' });
      expect(kept?.properties).toEqual({ card: '4111111111111111' });
      expect(archived?.traits).toEqual({ email });
      expect(archived?.properties).toEqual({ card: '************1111' });
    },
  );
});
