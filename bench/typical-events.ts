/**
 * Section 7's typical events: what the real SDKs send (bench/fixtures/typical-events.json, captured
 * from analytics-next 1.84.3 in Chromium and analytics-node 3.1.0 on loopback), the record the
 * ingest use case makes of each, and what Kinesis on-demand bills for it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuntimeConfig, type RuntimeSource } from '../lambda/config/runtime-config';
import { AggregatingRecordWriter } from '../lambda/delivery/aggregating-record-writer';
import type { OutgoingRecord, RecordWriter } from '../lambda/delivery/record-writer';
import { Ingest } from '../lambda/ingest/ingest';
import { type CostRow, costPerMillionEvents } from './cost';

/** The captured events the report names, with what each is. */
export const TYPICAL_EVENTS = {
  'analytics-next-page': 'analytics-next page call (browser, default delivery)',
  'analytics-next-track': 'analytics-next track, 3 properties (browser)',
  'analytics-node-identify': 'analytics-node identify, 2 traits (server)',
  'analytics-node-track': 'analytics-node track, 2 properties (server)',
} as const;

export type TypicalEventId = keyof typeof TYPICAL_EVENTS;

export interface TypicalEventSize {
  readonly id: TypicalEventId;
  readonly label: string;
  /** The event as the SDK sent it (compact JSON, UTF-8). */
  readonly eventBytes: number;
  /** The record written for it (the envelope, default settings). */
  readonly envelopeBytes: number;
  /** The same envelope without its `null` fields: what a compact envelope would weigh. */
  readonly withoutNullsBytes: number;
  /** How many of this event (one user, as a browser's batch is) {@link aggregatedBytes} packs. */
  readonly aggregatedEvents: number;
  /** The one KPL aggregated record `aggregate: true` writes for a request of `aggregatedEvents` of it. */
  readonly aggregatedBytes: number;
}

export interface TypicalEventCost extends TypicalEventSize {
  /** Kinesis on-demand billing units: each record rounded up to whole KB. */
  readonly billedKb: number;
  readonly withoutNullsBilledKb: number;
  /** Per million events at `eventsPerRequest`, HTTP API, the envelope as written. */
  readonly cost: CostRow;
  /** The same, with the envelope's `null` fields left out. */
  readonly withoutNullsCost: CostRow;
  /** Kinesis billing units per event with `aggregate: true` (the aggregated record's, shared). */
  readonly aggregatedBilledKb: number;
  /** The same request with `aggregate: true`. */
  readonly aggregatedCost: CostRow;
}

const FIXTURE = join(__dirname, 'fixtures', 'typical-events.json');

/**
 * Runs each captured event through the ingest use case (default pipeline) and weighs its record;
 * then a request of `eventsPerRequest` copies of it (own message ids, one user, as a browser's
 * batch) through the real KPL aggregation of `aggregate: true`, and weighs the record it writes.
 */
export async function measureTypicalEvents(eventsPerRequest = 20): Promise<TypicalEventSize[]> {
  const events = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: ['bench-write-key'], destinations: ['analytics'] }],
    destinations: [{ id: 'analytics', streamName: 'events', region: 'us-east-1' }],
  });
  const written: OutgoingRecord[] = [];
  const writer: RecordWriter = {
    write: async (records) => {
      written.push(...records);
      return { failed: [], calls: 1 };
    },
  };
  const ingest = new Ingest({ writers: new Map([['analytics', writer]]), maxEventBytes: 32 * 1024 });
  const aggregating = new Ingest({
    writers: new Map([['analytics', new AggregatingRecordWriter(writer)]]),
    maxEventBytes: 32 * 1024,
  });
  const sizes: TypicalEventSize[] = [];
  for (const [id, label] of Object.entries(TYPICAL_EVENTS) as [TypicalEventId, string][]) {
    const event = events[id];
    if (event === undefined) throw new Error(`${FIXTURE} has no event "${id}"`);
    written.length = 0;
    const outcome = await ingest.ingest({
      source: config.sources[0] as RuntimeSource,
      messages: [event],
      receivedAt: Date.now(),
      // A documentation address: context.ip is filled from it, as API Gateway's sourceIp is.
      sourceIp: '203.0.113.7',
      deadline: Date.now() + 1000,
    });
    const record = written[0];
    if (outcome.kind !== 'delivered' || record === undefined) throw new Error(`"${id}" was not accepted`);
    const envelope = JSON.parse(Buffer.from(record.data).toString('utf8')) as Record<string, unknown>;
    const withoutNulls = Object.fromEntries(Object.entries(envelope).filter(([, value]) => value !== null));
    written.length = 0;
    const batch = Array.from({ length: eventsPerRequest }, (_, index) => ({
      ...(event as Record<string, unknown>),
      messageId: `${id}-${index}`,
    }));
    const aggregatedOutcome = await aggregating.ingest({
      source: config.sources[0] as RuntimeSource,
      messages: batch,
      receivedAt: Date.now(),
      sourceIp: '203.0.113.7',
      deadline: Date.now() + 1000,
    });
    const [aggregated, ...others] = written;
    if (aggregatedOutcome.kind !== 'delivered' || aggregated === undefined || others.length > 0) {
      throw new Error(`"${id}" x ${eventsPerRequest} was not written as one aggregated record`);
    }
    sizes.push({
      id,
      label,
      eventBytes: Buffer.byteLength(JSON.stringify(event)),
      envelopeBytes: record.data.byteLength,
      withoutNullsBytes: Buffer.byteLength(JSON.stringify(withoutNulls)),
      aggregatedEvents: eventsPerRequest,
      aggregatedBytes: aggregated.data.byteLength,
    });
  }
  return sizes;
}

/** Prices each typical event at `eventsPerRequest` per HTTP API request with the measured duration. */
export function typicalEventCosts(
  sizes: readonly TypicalEventSize[],
  options: { readonly eventsPerRequest: number; readonly durationMs: number; readonly memoryMb: number },
): TypicalEventCost[] {
  const price = (id: string, recordBytes: number, eventsPerRecord = 1) =>
    costPerMillionEvents({
      eventsPerRecord,
      label: id,
      front: 'http-api',
      eventsPerRequest: options.eventsPerRequest,
      durationMs: options.durationMs,
      memoryMb: options.memoryMb,
      recordBytes,
    });
  return sizes.map((size) => ({
    ...size,
    billedKb: Math.ceil(size.envelopeBytes / 1024),
    withoutNullsBilledKb: Math.ceil(size.withoutNullsBytes / 1024),
    cost: price(size.id, size.envelopeBytes),
    withoutNullsCost: price(size.id, size.withoutNullsBytes),
    aggregatedBilledKb: Math.ceil(size.aggregatedBytes / 1024) / size.aggregatedEvents,
    aggregatedCost: price(size.id, size.aggregatedBytes, size.aggregatedEvents),
  }));
}
