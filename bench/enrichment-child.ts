/**
 * Child-process entry of the enrichment section: what `pipeline.enrich` (bot, geo, device, all
 * three), the field rules (`hash` keyed, `drop`, `mask` on `*.email`) and `suppression` (a warm
 * cache: every id already looked up) cost per event in the ingest use case, writes stubbed, against
 * the same events without them. The events cycle through {@link BENCH_USER_AGENTS} and a set of
 * public client IPs, and carry an email in `context.traits` and in `properties`, each of one of
 * 1,000 users, so the `hash` case's values repeat from batch to batch as a user's do. `hash-new`
 * runs the same rule on a copy of the events whose two emails are rewritten, untimed, before each
 * batch to values no event had before (two people per event): the memo of keyed hashes answers none.
 */
import { performance } from 'node:perf_hooks';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import { FixedHashKey } from '../lambda/delivery/hash-key';
import type { RecordWriter } from '../lambda/delivery/record-writer';
import { SuppressionCheck } from '../lambda/delivery/suppression-check';
import type { SuppressionList } from '../lambda/delivery/suppression-list';
import { LOCAL_DEV_HASH_KEY } from '../lambda/events/field-rules';
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

/** Each case's source settings: a `pipeline` (merged into the local source's) and `suppression`. */
const CASES: Record<EnrichmentCaseId, { pipeline?: Record<string, unknown>; suppression?: object }> = {
  none: {},
  bot: { pipeline: { enrich: { bot: 'flag' } } },
  geo: { pipeline: { enrich: { geo: {} } } },
  device: { pipeline: { enrich: { device: true } } },
  all: { pipeline: { enrich: { bot: 'flag', geo: {}, device: true } } },
  hash: { pipeline: { redact: { hash: ['*.email'] } } },
  'hash-new': { pipeline: { redact: { hash: ['*.email'] } } },
  drop: { pipeline: { redact: { drop: ['*.email'] } } },
  mask: { pipeline: { redact: { mask: [{ path: '*.email', keepEnd: 4 }] } } },
  suppression: { suppression: { enabled: true } },
};

function sourceWith(settings: (typeof CASES)[EnrichmentCaseId]) {
  const document = localCollectorConfig(
    localModeSettings({ WRITE_KEY: 'bench-write-key' }),
    'http://127.0.0.1:9',
  ) as unknown as { sources: Record<string, unknown>[] };
  const [source] = document.sources;
  if (source !== undefined) {
    if (settings.pipeline !== undefined) {
      source.pipeline = { ...((source.pipeline as object | undefined) ?? {}), ...settings.pipeline };
    }
    if (settings.suppression !== undefined) source.suppression = settings.suppression;
  }
  return parseRuntimeConfig(document);
}

/** Nobody is suppressed: the lookup answers "no" for every id (once: then the cache answers). */
const NOBODY_SUPPRESSED: SuppressionList = {
  suppressed: async (_sourceId, ids) => ids.map(() => false),
};

async function main(): Promise<void> {
  const userAgents = Object.values(BENCH_USER_AGENTS);
  const events = trackEvents(BATCH, 'enrich').map((event, index) => ({
    ...event,
    context: {
      ...((event.context as object | undefined) ?? {}),
      ip: ADDRESSES[index % ADDRESSES.length],
      userAgent: userAgents[index % userAgents.length],
      traits: { email: ` Person.${index % 1000}@Example.com` },
    },
    properties: {
      ...((event.properties as object | undefined) ?? {}),
      email: `person.${index % 1000}@example.com`,
    },
  }));
  const freshEvents = events.map((event) => ({
    ...event,
    context: { ...event.context, traits: { ...event.context.traits } },
    properties: { ...event.properties },
  }));
  let fresh = 0;
  /** Gives every `hash-new` event two emails no event had before. */
  const renew = () => {
    for (const event of freshEvents) {
      fresh += 1;
      event.context.traits.email = ` New.Person.${fresh}@Example.com`;
      event.properties.email = `buyer.${fresh}@example.com`;
    }
  };
  const writer: RecordWriter = { write: async () => ({ failed: [], calls: 1 }) };
  const configs = Object.fromEntries(
    Object.entries(CASES).map(([id, settings]) => [id, sourceWith(settings)]),
  ) as Record<EnrichmentCaseId, ReturnType<typeof sourceWith>>;
  const destination = configs.none.destinations[0]?.id as string;
  const ingest = new Ingest({
    writers: new Map([[destination, writer]]),
    maxEventBytes: 32 * 1024,
    hashKey: LOCAL_DEV_HASH_KEY,
    // A warm cache for the whole run: what a container answers from memory between reads.
    suppression: new SuppressionCheck({
      list: NOBODY_SUPPRESSED,
      key: new FixedHashKey(),
      maxAgeMs: Number.POSITIVE_INFINITY,
    }),
  });
  const task = (id: EnrichmentCaseId) => () =>
    ingest.ingest({
      source: configs[id].sources[0] as (typeof configs.none.sources)[number],
      messages: id === 'hash-new' ? freshEvents : events,
      receivedAt: Date.now(),
      sourceIp: '127.0.0.1',
      deadline: Date.now() + 5_000,
    });
  /** Milliseconds one batch of case `id` takes (a `hash-new` batch's emails renewed before, untimed). */
  const timed = async (id: EnrichmentCaseId) => {
    if (id === 'hash-new') renew();
    const start = performance.now();
    await task(id)();
    return performance.now() - start;
  };
  const ids = Object.keys(CASES) as EnrichmentCaseId[];
  for (const id of ids) {
    const outcome = await task(id)();
    if (outcome.kind !== 'delivered' || outcome.accepted !== BATCH) {
      throw new Error(`enrichment (${id}): expected ${BATCH} delivered, got ${JSON.stringify(outcome)}`);
    }
  }

  for (const id of ids) for (let warm = 0; warm < ITERATIONS * 2; warm++) await timed(id);
  const microsPerEvent = Object.fromEntries(ids.map((id) => [id, [] as number[]])) as Record<
    EnrichmentCaseId,
    number[]
  >;
  for (let sample = 0; sample < SAMPLES; sample++) {
    for (const id of ids) {
      let milliseconds = 0;
      for (let iteration = 0; iteration < ITERATIONS; iteration++) milliseconds += await timed(id);
      microsPerEvent[id].push((milliseconds * 1000) / ITERATIONS / BATCH);
    }
  }
  const result: EnrichmentResult = { batch: BATCH, addresses: ADDRESSES.length, microsPerEvent };
  process.send?.({ type: 'result', result });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
