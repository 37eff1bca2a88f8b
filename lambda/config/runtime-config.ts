import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { EXTERNAL_ID_CHARACTERS, EXTERNAL_ID_PATTERN, ROLE_ARN_PATTERN } from '../contract/iam-identifiers';
import { type PlanAction, type TrackingPlanDocument, TrackingPlanError } from '../events/tracking-plan';
import { jsonErrorMessage, sanitisedJsonError } from '../observability/json-error-message';
import { withDeployedDestinations } from './deployed-destinations';
import { compiledTrackingPlan } from './tracking-plans';

// zod/mini (~28 KB bundled, against ~450 KB for the classic API) with the English messages the classic
// API loads by default: every message stays word for word the same.
z.config(en());

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

/** A list of at least one item (zod/mini spells `.min(1)` as a check; the message is the same). */
const nonEmptyList = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));

/** An integer in [min, max], `fallback` when absent. */
const intBetween = (min: number, max: number, fallback: number) =>
  z._default(z.int().check(z.minimum(min), z.maximum(max)), fallback);

/** Forward only events whose `context.consent.categoryPreferences` grant these categories. */
const consentSchema = z.strictObject({
  requiredCategories: nonEmptyList(nonEmpty),
  whenMissing: z._default(z.enum(['forward', 'drop']), 'forward'),
});

/**
 * A dotted path under an event's context, properties or traits (`context.ip`, `traits.email`), or
 * one with `*` segments, each matching one or more segments at any depth (`*.email`).
 */
const fieldPath = z
  .string()
  .check(
    z.regex(
      /^(context|properties|traits|\*)(\.[^.\s]+)+$/,
      'must be a dotted path under context, properties or traits, or start with *, e.g. context.ip, traits.email or *.email',
    ),
  );

/** `mask`: a field kept only in part (lambda/events/field-rules.ts). */
const maskRuleSchema = z.strictObject({
  path: fieldPath,
  keepStart: z._default(z.int().check(z.minimum(0)), 0),
  keepEnd: z._default(z.int().check(z.minimum(0)), 0),
});

/** Field rules (lambda/events/field-rules.ts, docs/privacy.md). */
const redactSchema = z.strictObject({
  drop: z._default(z.array(fieldPath), []),
  hash: z._default(z.array(fieldPath), []),
  mask: z._default(z.array(maskRuleSchema), []),
  hashAlgorithm: z._default(z.enum(['hmac-sha256', 'sha256']), 'hmac-sha256'),
  ip: z._default(z.enum(['keep', 'truncate', 'drop']), 'keep'),
  /** Keep an unparseable request body in the failed-events stream although no rule applies to it. */
  keepUnparseableBody: z._default(z.boolean(), false),
});

const destinationSchema = z.strictObject({
  /** Becomes `integration_id` in every envelope written here. */
  id: nonEmpty,
  streamName: nonEmpty,
  region: nonEmpty,
  /** A Kinesis-compatible endpoint (the local emulator); absent for AWS itself. */
  endpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** The writer role to assume (possibly in another account); absent: the function's own role. */
  roleArn: z.optional(
    z
      .string()
      .check(
        z.regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)'),
      ),
  ),
  /**
   * The STS endpoint that assumes `roleArn` (the local STS of local mode and tests); absent: the
   * regional AWS STS endpoint.
   */
  stsEndpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** The external ID the writer role's trust policy requires. */
  externalId: z.optional(z.string().check(z.regex(EXTERNAL_ID_PATTERN, `must be ${EXTERNAL_ID_CHARACTERS}`))),
  /** Static keys, for emulators and destinations that cannot offer a role. */
  credentials: z.optional(
    z.strictObject({ accessKeyId: nonEmpty, secretAccessKey: nonEmpty, sessionToken: z.optional(nonEmpty) }),
  ),
  /**
   * Pack a request's events that share a partition key into KPL aggregated records (consumers must
   * deaggregate: KCL does; see docs/configuration.md).
   */
  aggregate: z._default(z.boolean(), false),
  /**
   * Consent this destination needs in addition to its source's (`pipeline.consent`): as Datafly
   * filters per integration, one destination of a fan-out may need a category another does not.
   */
  consent: z.optional(consentSchema),
  /**
   * Field rules of this destination, applied after its source's (`pipeline.redact`) to the records
   * written here (docs/privacy.md).
   */
  redact: z.optional(redactSchema),
  /**
   * The failed-events stream next to `streamName` (same account, region and credentials): every
   * event of this destination's sources the collector refuses is kept there with its reason
   * (docs/data-quality.md). Absent: refused events are only answered and counted.
   */
  failedStreamName: z.optional(nonEmpty),
  /**
   * Hot-key relief (docs/configuration.md): a partition key writing faster than one shard can take
   * is spread over `<key>#0` .. `<key>#15` while it is hot, its records marked
   * `context.kinesis_event_forwarder.overflow: true`.
   */
  hotKeys: z.prefault(
    z.strictObject({
      /** Spread hot keys at all. */
      enabled: z._default(z.boolean(), true),
      /** A key writing more records per second than this, in one container, is hot. */
      recordsPerSecond: intBetween(10, 100_000, 500),
    }),
    {},
  ),
});

const planAction = z.enum(['allow', 'flag', 'block']);

/** Destination fields that only mean something with a `roleArn`, and how the message names them. */
const ROLE_ONLY_FIELDS = [
  ['externalId', 'an external ID'],
  ['stsEndpoint', 'an STS endpoint'],
] as const;

/** A tracking plan as configured, defaults filled in (`TrackingPlanDocument` of the domain). */
export interface TrackingPlanConfig extends TrackingPlanDocument {
  readonly events: Record<string, Record<string, unknown> | boolean>;
  readonly traits?: Record<string, unknown> | boolean;
}

/** A tracking plan as written in the document. */
interface TrackingPlanInput {
  events?: Record<string, Record<string, unknown> | boolean>;
  traits?: Record<string, unknown> | boolean;
  unplanned?: PlanAction;
  violations?: PlanAction;
}

/** A JSON Schema: an object or a boolean; compiled (and so checked) at load. */
const jsonSchema = z.union([z.record(z.string(), z.unknown()), z.boolean()]);

/** A tracking plan (lambda/events/tracking-plan.ts, docs/data-quality.md). */
const trackingPlanSchema: z.ZodMiniType<TrackingPlanConfig, TrackingPlanInput> = z.strictObject({
  /** The JSON Schema of each planned track event's `properties`, by event name. */
  events: z._default(z.record(nonEmpty, jsonSchema), {}),
  /** The JSON Schema of identify and group `traits`. */
  traits: z.optional(jsonSchema),
  /** What happens to a track event whose name is not in `events`. */
  unplanned: z._default(planAction, 'allow'),
  /** What happens to an event that breaks its schema. */
  violations: z._default(planAction, 'block'),
});

/** What a source does with its events before they are written (lambda/events/pipeline/). */
const pipelineSchema = z.prefault(
  z.strictObject({
    /** Forward only events whose `context.consent.categoryPreferences` grant these categories. */
    consent: z.optional(consentSchema),
    /**
     * Fields removed (`drop`), replaced by their keyed hash (`hash`, `hashAlgorithm`) or kept in part
     * (`mask`) before writing, and what becomes of `context.ip` (`keep`, `truncate`: last octet /
     * last 80 bits zeroed, `drop`). docs/privacy.md.
     */
    redact: z.optional(redactSchema),
    /**
     * Facts derived from the event before validation and redaction (lambda/events/pipeline/enrich-event.ts,
     * docs/privacy.md "Enrichment"): `bot` (`flag`: `context.bot: true`; `drop`: not forwarded,
     * counted in `BotEventsDropped`), `geo` (`context.location` from the client IP, with the bundled
     * country database or the MMDB file at `database`), `device` (`context.browser`, `context.os`,
     * `context.device.type` from the user agent and client hints). Absent: none, none of their code loaded.
     */
    enrich: z.optional(
      z.strictObject({
        bot: z.optional(z.enum(['flag', 'drop'])),
        geo: z.optional(z.strictObject({ database: z.optional(nonEmpty) })),
        device: z.optional(z.boolean()),
      }),
    ),
    /** Honour `integrations: { "<integrationName>": false }` and `All: false`. */
    honourIntegrations: z._default(z.boolean(), true),
    integrationName: z._default(nonEmpty, 'Amazon Kinesis'),
    /** `envelope` (docs/envelope.md) or `segment` (the Segment message as received, enriched). */
    recordFormat: z._default(z.enum(['envelope', 'segment']), 'envelope'),
  }),
  {},
);

/** A lowercase DNS name of two labels or more, no wildcard, no leading or trailing dot. */
const COOKIE_DOMAIN_PATTERN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The identity cookie the collector sets on the site's domain (lambda/http/identity-cookie.ts,
 * docs/configuration.md): only where the collector is first-party, so `domain` must end the host
 * the collector is reached at (the custom domain or the site's own CloudFront path).
 */
const identityCookieSchema = z.strictObject({
  /** The cookie analytics.js reads its anonymous id from. */
  name: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'must be a cookie name: letters, digits, _ . -')),
    'ajs_anonymous_id',
  ),
  /** The site's domain the cookie is set on (`example.com`): a parent of the collector's host. */
  domain: z
    .string()
    .check(
      z.regex(
        COOKIE_DOMAIN_PATTERN,
        "must be the site's domain in lowercase, without scheme, port, leading dot or wildcard, like example.com",
      ),
    ),
  /** Lifetime in days; browsers cap cookies at 400 days. */
  maxAgeDays: intBetween(1, 400, 400),
});
/** A DNS host name (no scheme, port, path or IP address), compared lower-cased. */
const redirectHost = z.pipe(
  z
    .string()
    .check(
      z.trim(),
      z.regex(
        /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i,
        'must be a host name such as "www.example.com" (no scheme, port, path or IP address)',
      ),
    ),
  z.transform((host: string) => host.toLowerCase()),
);

const sourceSchema = z.strictObject({
  /** Becomes `source_id` in every envelope. */
  id: nonEmpty,
  /** Optional when the keys come from the `WRITE_KEYS_SECRET_ARN` secret instead. */
  writeKeys: z.optional(nonEmptyList(nonEmpty)),
  /** Browser origins allowed to send this source's events; absent: the global `cors.allowedOrigins`. */
  allowedOrigins: z.optional(nonEmptyList(nonEmpty)),
  /** Ids of the destinations that receive every accepted event of this source. */
  destinations: nonEmptyList(nonEmpty),
  partitionKey: z._default(z.enum(['user', 'event_id']), 'user'),
  /**
   * Events per second this source may send, per container (approximate: N warm containers admit N x
   * the limit); a request over it is refused whole with `status` (429, or 503 for SDKs that drop every
   * 4xx), `Retry-After` and `X-RateLimit-Reset`. Absent: no limit but the API's own throttle.
   */
  rateLimit: z.optional(
    z.strictObject({
      eventsPerSecond: z.number().check(z.positive(), z.maximum(1_000_000)),
      burst: z.int().check(z.minimum(1), z.maximum(1_000_000)),
      status: z._default(z.literal([429, 503]), 429),
    }),
  ),
  /**
   * Drop an event whose `messageId` is already durable in a destination (its stream or the spill
   * store) within the last `windowHours` (1-168). Needs the dedup table (`DEDUP_TABLE_NAME`, which the
   * collector stack creates when a source sets this). Absent: every copy is written.
   */
  dedup: z.optional(z.strictObject({ windowHours: intBetween(1, 168, 24) })),
  /**
   * Drop (answered as accepted, counted in `SuppressedEvents`) the events of a userId or anonymousId
   * suppressed for this source with `npm run suppress` (docs/privacy.md). Needs the suppression table
   * (`SUPPRESSION_TABLE_NAME`, which the collector stack creates when a source sets this). A lookup
   * that fails answers 503 (fail closed). Absent: nobody is suppressed.
   */
  suppression: z.optional(z.strictObject({ enabled: z.boolean() })),
  pipeline: pipelineSchema,
  /**
   * Set (or refresh) the anonymous id cookie from the collector's answers to this source's browser
   * requests: opt-in, first-party collectors only. Needs explicit `allowedOrigins` (never `*`).
   */
  identityCookie: z.optional(identityCookieSchema),
  /** The source's tracking plan: inline, or the name of one in the document's `trackingPlans`. */
  trackingPlan: z.optional(z.union([nonEmpty, trackingPlanSchema])),
  /**
   * Link-click redirects (`GET /v1/r?u=<https URL>`): the hosts a redirect may go to, exactly (no
   * subdomains). Absent: the source's redirects are refused.
   */
  redirect: z.optional(z.strictObject({ allowedHosts: nonEmptyList(redirectHost) })),
});

const runtimeConfigSchema = z.pipe(
  z
    .strictObject({
      sources: nonEmptyList(sourceSchema),
      destinations: nonEmptyList(destinationSchema),
      /** Tracking plans shared by several sources, by name (`sources[].trackingPlan: "<name>"`). */
      trackingPlans: z._default(z.record(nonEmpty, trackingPlanSchema), {}),
      limits: z.prefault(
        z.strictObject({
          /** Largest envelope (UTF-8 bytes) accepted per event, as Segment's 32 KB. */
          maxEventBytes: intBetween(1024, 1_000_000, 32 * 1024),
          /** Largest request body (UTF-8 bytes, after decompression), as Segment's 500 KB per batch. */
          maxRequestBytes: intBetween(1024, 10 * 1024 * 1024, 500 * 1024),
        }),
        {},
      ),
      delivery: z.prefault(
        z.strictObject({
          /** Longest time spent writing one request's events, retries included. */
          budgetMs: intBetween(100, 29_000, 6_000),
          /** Time kept back from the Lambda's remaining time to answer the client. */
          reserveMs: intBetween(0, 10_000, 500),
          /** First retry delay; doubles per attempt, with full jitter. */
          baseDelayMs: intBetween(1, 5_000, 50),
          maxDelayMs: intBetween(1, 10_000, 1_000),
          /** `Retry-After` seconds sent with 429/503 answers. */
          retryAfterSeconds: intBetween(1, 300, 2),
        }),
        {},
      ),
      cors: z.prefault(
        z.strictObject({
          /** Origins allowed to call the collector from a browser; `*` allows every origin. */
          allowedOrigins: z._default(nonEmptyList(nonEmpty), ['*']),
          maxAgeSeconds: intBetween(1, 86_400, 7_200),
        }),
        {},
      ),
    })
    .check(
      z.superRefine((config, ctx) => {
        const destinationIds = new Set<string>();
        config.destinations.forEach((destination, index) => {
          if (destinationIds.has(destination.id)) {
            ctx.addIssue({
              code: 'custom',
              path: ['destinations', index, 'id'],
              message: `duplicate id "${destination.id}"`,
            });
          }
          destinationIds.add(destination.id);
          if (destination.roleArn === undefined) {
            for (const [field, what] of ROLE_ONLY_FIELDS) {
              if (destination[field] === undefined) continue;
              ctx.addIssue({
                code: 'custom',
                path: ['destinations', index, field],
                message: `${what} is only used to assume a role: set roleArn too`,
              });
            }
          }
          if (destination.roleArn !== undefined && destination.credentials !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['destinations', index, 'credentials'],
              message: 'set either roleArn or static credentials, not both',
            });
          }
        });
        const compile = (
          plan: z.output<typeof trackingPlanSchema>,
          path: (string | number)[],
          owner: string,
        ) => {
          try {
            compiledTrackingPlan(plan);
          } catch (error) {
            if (!(error instanceof TrackingPlanError)) throw error;
            ctx.addIssue({
              code: 'custom',
              path,
              message: `the tracking plan of ${owner} is broken: ${error.message}`,
            });
          }
        };
        for (const [name, plan] of Object.entries(config.trackingPlans)) {
          compile(plan, ['trackingPlans', name], `trackingPlans.${name}`);
        }
        const sourceIds = new Set<string>();
        const writeKeys = new Set<string>();
        config.sources.forEach((source, index) => {
          const plan = source.trackingPlan;
          if (typeof plan === 'string' && !Object.hasOwn(config.trackingPlans, plan)) {
            ctx.addIssue({
              code: 'custom',
              path: ['sources', index, 'trackingPlan'],
              message: `no tracking plan is named "${plan}"; add it to "trackingPlans" or fix the name`,
            });
          } else if (typeof plan === 'object') {
            compile(plan, ['sources', index, 'trackingPlan'], `source "${source.id}"`);
          }
          if (sourceIds.has(source.id)) {
            ctx.addIssue({
              code: 'custom',
              path: ['sources', index, 'id'],
              message: `duplicate id "${source.id}"`,
            });
          }
          sourceIds.add(source.id);
          if (source.identityCookie !== undefined) {
            const origins = source.allowedOrigins ?? config.cors.allowedOrigins;
            const wildcard = origins.find((origin) => origin.includes('*'));
            if (wildcard !== undefined) {
              ctx.addIssue({
                code: 'custom',
                path: [
                  'sources',
                  index,
                  source.allowedOrigins === undefined ? 'identityCookie' : 'allowedOrigins',
                ],
                message: `identityCookie needs explicit allowed origins: browsers send and accept cookies only with credentialed CORS, which never allows "${wildcard}"; list each site, like ["https://www.${source.identityCookie.domain}"]`,
              });
            }
          }
          source.writeKeys?.forEach((key, keyIndex) => {
            if (writeKeys.has(key)) {
              ctx.addIssue({
                code: 'custom',
                path: ['sources', index, 'writeKeys', keyIndex],
                message: 'this write key is already used by another source',
              });
            }
            writeKeys.add(key);
          });
          source.destinations.forEach((id, destinationIndex) => {
            if (!destinationIds.has(id)) {
              ctx.addIssue({
                code: 'custom',
                path: ['sources', index, 'destinations', destinationIndex],
                message: `no destination has id "${id}"; add it to "destinations" or fix the id`,
              });
            }
          });
        });
      }),
    ),
  z.transform(({ trackingPlans, ...config }) => ({
    ...config,
    // Plans by name resolved: each source holds its plan (the same object for sources sharing one).
    sources: config.sources.map(
      ({
        trackingPlan,
        ...source
      }): typeof source & {
        readonly trackingPlan?: TrackingPlanConfig;
      } => {
        const plan = typeof trackingPlan === 'string' ? trackingPlans[trackingPlan] : trackingPlan;
        return plan === undefined ? source : { ...source, trackingPlan: plan };
      },
    ),
  })),
);

/** The collector's validated runtime configuration (reference: docs/configuration.md). */
export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;
/** One source of the runtime configuration: its write keys, destinations and pipeline. */
export type RuntimeSource = RuntimeConfig['sources'][number];
/**
 * One destination as the Lambda sees it: the stream, and how to reach it (`roleArn` + `externalId`,
 * static credentials or the function's own role). Its deploy-time counterpart is `DeployDestination`
 * (lib/config/deploy-config.ts), which the collector function construct writes into this shape.
 */
export type RuntimeDestination = RuntimeConfig['destinations'][number];
/** The configuration document as written by people: every defaulted field is optional. */
export type RuntimeConfigInput = z.input<typeof runtimeConfigSchema>;

/** The configuration is missing or invalid; the message names each bad field and what to do. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

/**
 * A union's issue as the issues of the option the value was meant for: of `"plan name" | {plan}`,
 * an object is meant to be a plan, so its own problems (`violations: Invalid option ...`) are
 * reported rather than a bare "Invalid input".
 */
function precise(issue: z.core.$ZodIssue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const meant = issue.errors.filter(
    (option) => !option.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  if (meant.length !== 1) return [issue];
  return (meant[0] ?? []).map((inner) => ({ path: [...issue.path, ...inner.path], message: inner.message }));
}

/**
 * Validates a configuration document, filling in defaults. Every source needs `writeKeys` unless
 * `writeKeysFromSecret` says they come from the `WRITE_KEYS_SECRET_ARN` secret.
 */
export function parseRuntimeConfig(
  document: unknown,
  origin = 'configuration',
  options: { readonly writeKeysFromSecret?: boolean } = {},
): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(document);
  const problems = result.success
    ? result.data.sources.flatMap((source, index) =>
        source.writeKeys === undefined && !options.writeKeysFromSecret
          ? [
              `  - sources.${index}.writeKeys: required (or set WRITE_KEYS_SECRET_ARN to keep the keys in a secret)`,
            ]
          : [],
      )
    : result.error.issues
        .flatMap(precise)
        .map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  if (result.success && problems.length === 0) return result.data;
  throw new InvalidConfigError(`Invalid collector ${origin}:\n${problems.join('\n')}`, {
    cause: result.success ? undefined : result.error,
  });
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the document, and the document holds write keys: never log it.
    throw new InvalidConfigError(`Invalid collector ${origin}: not JSON (${jsonErrorMessage(error)})`, {
      cause: sanitisedJsonError(error),
    });
  }
}

/**
 * The document with `COLLECTOR_DESTINATIONS` (the deploy-time values of the destinations the CDK app
 * bound to its stream stack) merged in, when it is set.
 */
function deployedDocument(document: unknown, env: NodeJS.ProcessEnv, origin: string): unknown {
  if (!env.COLLECTOR_DESTINATIONS) return document;
  const merged = withDeployedDestinations(document, env.COLLECTOR_DESTINATIONS);
  if ('problem' in merged) throw new InvalidConfigError(`Invalid collector ${origin}: ${merged.problem}`);
  return merged.document;
}

/**
 * Reads the configuration once, at cold start, from `COLLECTOR_CONFIG` (the JSON document) or
 * `COLLECTOR_CONFIG_FILE` (a path to it; a relative path is read from `LAMBDA_TASK_ROOT`, the
 * function's code, when that is set), with `COLLECTOR_DESTINATIONS` merged in. Fails fast with
 * every problem listed. `writeKeysFromSecret` says whether sources may leave out `writeKeys`
 * (default: when `WRITE_KEYS_SECRET_ARN` is set; local mode fills them in itself).
 */
export function readRuntimeConfig(
  env: NodeJS.ProcessEnv,
  overrides: { readonly writeKeysFromSecret?: boolean } = {},
): RuntimeConfig {
  const options = {
    writeKeysFromSecret: overrides.writeKeysFromSecret ?? Boolean(env.WRITE_KEYS_SECRET_ARN),
  };
  if (env.COLLECTOR_CONFIG) {
    const document = parseJson(env.COLLECTOR_CONFIG, 'COLLECTOR_CONFIG');
    return parseRuntimeConfig(
      deployedDocument(document, env, 'COLLECTOR_CONFIG'),
      'COLLECTOR_CONFIG',
      options,
    );
  }
  const file = env.COLLECTOR_CONFIG_FILE;
  if (file) {
    const path = env.LAMBDA_TASK_ROOT ? resolve(env.LAMBDA_TASK_ROOT, file) : file;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new InvalidConfigError(`Cannot read COLLECTOR_CONFIG_FILE ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const origin = `file ${file}`;
    return parseRuntimeConfig(deployedDocument(parseJson(text, origin), env, origin), origin, options);
  }
  throw new InvalidConfigError(
    'No collector configuration: set COLLECTOR_CONFIG to the JSON document or COLLECTOR_CONFIG_FILE to its path (see docs/configuration.md).',
  );
}
