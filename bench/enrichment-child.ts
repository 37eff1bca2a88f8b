/**
 * Child-process entry of the enrichment section: what `pipeline.enrich` (bot, geo, device, all
 * three) costs per event in the ingest use case, writes stubbed, against the same events without
 * it. The events cycle through {@link BENCH_USER_AGENTS} and a set of public client IPs.
 */
import { performance } from 'node:perf_hooks';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import type { RecordWriter } from '../lambda/delivery/record-writer';
import { Ingest } from '../lambda/ingest/ingest';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { BENCH_USER_AGENTS, type EnrichmentCaseId, type EnrichmentResult } from './enrichment';
import { trackEvents } from './events';

const BATCH = 500;
const SAMPLES = Number(process.env.BENCH_CPU_SAMPLES ?? 9);
const ITERATIONS = Number(process.env.BENCH_CPU_ITERATIONS ?? 20);
const ADDRESSES = [
  '8.8.8.8',
  '1.1.1.1',
  '9.9.9.9',
  '208.67.222.222',
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
];

const ENRICH: Record<EnrichmentCaseId, Record<string, unknown> | undefined> = {
  none: undefined,
  bot: { bot: 'flag' },
  geo: { geo: {} },
  device: { device: true },
  all: { bot: 'flag', geo: {}, device: true },
};

function sourceWith(enrich: Record<string, unknown> | undefined) {
  const document = localCollectorConfig(
    localModeSettings({ WRITE_KEY: 'bench-write-key' }),
    'http://127.0.0.1:9',
  ) as unknown as { sources: Record<string, unknown>[] };
  const [source] = document.sources;
  if (enrich !== undefined && source !== undefined) {
    source.pipeline = { ...((source.pipeline as object | undefined) ?? {}), enrich };
  }
  return parseRuntimeConfig(document);
}

async function main(): Promise<void> {
  const userAgents = Object.values(BENCH_USER_AGENTS);
  const events = trackEvents(BATCH, 'enrich').map((event, index) => ({
    ...event,
    context: {
      ...((event.context as object | undefined) ?? {}),
      ip: ADDRESSES[index % ADDRESSES.length],
      userAgent: userAgents[index % userAgents.length],
    },
  }));
  const writer: RecordWriter = { write: async () => ({ failed: [], calls: 1 }) };
  const configs = Object.fromEntries(
    Object.entries(ENRICH).map(([id, enrich]) => [id, sourceWith(enrich)]),
  ) as Record<EnrichmentCaseId, ReturnType<typeof sourceWith>>;
  const destination = configs.none.destinations[0]?.id as string;
  const ingest = new Ingest({ writers: new Map([[destination, writer]]), maxEventBytes: 32 * 1024 });
  const task = (id: EnrichmentCaseId) => () =>
    ingest.ingest({
      source: configs[id].sources[0] as (typeof configs.none.sources)[number],
      messages: events,
      receivedAt: Date.now(),
      sourceIp: '127.0.0.1',
      deadline: Date.now() + 5_000,
    });
  const outcome = await task('all')();
  if (outcome.kind !== 'delivered' || outcome.accepted !== BATCH) {
    throw new Error(`enrichment: expected ${BATCH} delivered, got ${JSON.stringify(outcome)}`);
  }

  const ids = Object.keys(ENRICH) as EnrichmentCaseId[];
  for (const id of ids) for (let warm = 0; warm < ITERATIONS * 2; warm++) await task(id)();
  const microsPerEvent = Object.fromEntries(ids.map((id) => [id, [] as number[]])) as Record<
    EnrichmentCaseId,
    number[]
  >;
  for (let sample = 0; sample < SAMPLES; sample++) {
    for (const id of ids) {
      const start = performance.now();
      for (let iteration = 0; iteration < ITERATIONS; iteration++) await task(id)();
      microsPerEvent[id].push(((performance.now() - start) * 1000) / ITERATIONS / BATCH);
    }
  }
  const result: EnrichmentResult = { batch: BATCH, addresses: ADDRESSES.length, microsPerEvent };
  process.send?.({ type: 'result', result });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
