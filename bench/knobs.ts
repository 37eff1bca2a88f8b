/**
 * The sections `npm run bench` can run, in run order, with what each needs measured first.
 * `BENCH_ONLY=<names>` runs some of them (a partial run); the report names the same sections.
 */
export const BENCH_SECTIONS = {
  throughput: { needs: [], what: 'sections 1-3: throughput of the ceiling, our path and peer styles' },
  latency: { needs: [], what: 'handler duration one request at a time (the cost model uses it)' },
  cpu: { needs: [], what: 'section 4: handler CPU per event, I/O stubbed' },
  aggregation: { needs: [], what: 'section 8: plain vs KPL-aggregated records' },
  bundles: { needs: [], what: 'section 5: bundle sizes and load times' },
  memory: { needs: [], what: 'section 6: peak RSS of the deployed bundle' },
  cost: { needs: ['throughput', 'latency'], what: 'section 7: cost per million events' },
  'typical-events': {
    needs: ['latency'],
    what: 'section 7: record size and cost of the events real SDKs send (bench/fixtures/typical-events.json)',
  },
  'cold-start': { needs: ['throughput'], what: 'section 9: the cloud-assembly bundle under aws-lambda-ric' },
  'plan-validation': { needs: [], what: 'section 10: tracking-plan validation cost per event' },
  dedup: { needs: [], what: 'section 11: deduplication by messageId (DynamoDB calls, cost, added latency)' },
  enrichment: { needs: [], what: 'section 12: enrichment (bot, geo, device) cost per event' },
} as const satisfies Record<string, { readonly needs: readonly string[]; readonly what: string }>;

export type BenchSection = keyof typeof BENCH_SECTIONS;

/** The environment variables of `npm run bench`, with their defaults (read once, in bench/run.ts). */
export const BENCH_KNOBS = [
  { name: 'BENCH_ROUNDS', fallback: 5, what: 'measured throughput rounds (after one warm-up round)' },
  {
    name: 'BENCH_EVENTS',
    fallback: 10_000,
    what: 'events per batched throughput run and per aggregation run',
  },
  { name: 'BENCH_PER_EVENT', fallback: 1_000, what: 'events per one-event-per-call run (the peer styles)' },
  { name: 'BENCH_LOAD_RUNS', fallback: 20, what: 'fresh `node` processes per load-time case' },
  {
    name: 'BENCH_COLD_START_RUNS',
    fallback: 5,
    what: 'fresh execution environments per cold-start row (0 skips section 9)',
  },
  { name: 'BENCH_WARM_INVOCATIONS', fallback: 20, what: 'warm invocations after each cold start' },
  {
    name: 'BENCH_CPU_SAMPLES',
    fallback: 9,
    what: 'samples per case of sections 4 and 10 (read by their child processes)',
  },
  { name: 'BENCH_CPU_ITERATIONS', fallback: 20, what: '500-event batches per sample of sections 4 and 10' },
] as const;

export type BenchKnob = (typeof BENCH_KNOBS)[number]['name'];

/** The numeric knobs from `env` (defaults where unset or empty). */
export function readKnobs(env: NodeJS.ProcessEnv): Record<BenchKnob, number> {
  const values = {} as Record<BenchKnob, number>;
  for (const knob of BENCH_KNOBS) {
    const raw = env[knob.name];
    const value = raw === undefined || raw === '' ? knob.fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${knob.name} must be a whole number >= 0, got "${raw}"`);
    }
    values[knob.name] = value;
  }
  return values;
}

/**
 * The sections to run for `BENCH_ONLY` (comma-separated names of {@link BENCH_SECTIONS}), with
 * what they need added, in run order; `undefined` (unset or empty): all of them.
 */
export function selectSections(only: string | undefined): BenchSection[] | undefined {
  if (only === undefined || only.trim() === '') return undefined;
  const names = Object.keys(BENCH_SECTIONS) as BenchSection[];
  const chosen = new Set<BenchSection>();
  const add = (name: string) => {
    if (!(names as string[]).includes(name)) {
      throw new Error(`BENCH_ONLY: unknown section "${name}" (known: ${names.join(', ')})`);
    }
    const section = name as BenchSection;
    for (const need of BENCH_SECTIONS[section].needs) add(need);
    chosen.add(section);
  };
  for (const name of only.split(',')) add(name.trim());
  return names.filter((name) => chosen.has(name));
}

/** The knobs as the report's "Reproduce" section lists them. */
export function knobsMarkdown(): string {
  return [
    'Knobs (environment variables of `npm run bench`):',
    '',
    ...BENCH_KNOBS.map((knob) => `- \`${knob.name}\` (default ${knob.fallback}): ${knob.what}.`),
    `- \`BENCH_ONLY=<sections>\`: a partial run of some sections, comma-separated (${Object.keys(
      BENCH_SECTIONS,
    )
      .map((name) => `\`${name}\``)
      .join(
        ', ',
      )}; what a section needs runs too). It writes .bench/partial/latest.json and .bench/partial/benchmarks.md, never this file.`,
    '- `BENCH_REPORT_ONLY=1`: measures nothing; writes this file again from bench/results/latest.json (after editing bench/benchmarks.template.md or bench/report.ts).',
    '',
    'A quick partial run, e.g.: `BENCH_ONLY=cpu npm run bench`, or `BENCH_ONLY=throughput BENCH_ROUNDS=1 BENCH_EVENTS=2000 BENCH_PER_EVENT=200 npm run bench`.',
  ].join('\n');
}
