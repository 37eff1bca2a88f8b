/**
 * The parts of the collector that only some configurations need, each bundled as its own file next
 * to `index.js` (lib/constructs/collector-function.ts builds them after the main bundle) and loaded
 * with `require` the first time a configuration needs it (lambda/lazy/load-lazy-module.ts). A
 * configuration without them never reads, parses or evaluates their code: cold start and
 * `index.js` stay what the common configuration needs.
 *
 * Each name is both the entry point `lambda/lazy/<name>.ts` and the bundled `<name>.js`.
 */
export const LAZY_MODULE_NAMES = [
  /** Ajv and ajv-formats: sources with a tracking plan. */
  'tracking-plan-validator',
  /** aws-kinesis-agg (protobufjs): destinations with `aggregate: true`. */
  'kinesis-aggregation',
  /** The SSM client: a configuration read from `COLLECTOR_CONFIG_PARAMETER`. */
  'ssm-parameter-reader',
  /** The DynamoDB client of the seen store: a configuration with a source that sets `dedup`. */
  'dynamodb-seen-store',
  /** The DynamoDB client of the suppression list: a configuration with a source that sets `suppression`. */
  'dynamodb-suppression-list',
  /** isbot: sources with `pipeline.enrich.bot`. */
  'bot-detector',
  /** mmdb-lib: sources with `pipeline.enrich.geo` (the database is its own file, contract/geo-database.ts). */
  'geo-database',
  /** ua-parser-js 1.x: sources with `pipeline.enrich.device`. */
  'device-parser',
] as const;

export type LazyModuleName = (typeof LAZY_MODULE_NAMES)[number];

/** Where the entry points of {@link LAZY_MODULE_NAMES} are, relative to the project root. */
export const LAZY_MODULE_SOURCE_DIR = 'lambda/lazy';
