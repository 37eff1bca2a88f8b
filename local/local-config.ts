import type { RuntimeConfig, RuntimeConfigInput, RuntimeSource } from '../lambda/config/runtime-config';

/** A destination's writer role as local mode plays it: the CDK app's role, in the local STS. */
export interface LocalRoleEndpoint {
  readonly roleArn: string;
  readonly stsEndpoint: string;
}

/** Where local mode sends what a configuration document leaves to AWS. */
export interface LocalEndpoints {
  /** The Kinesis endpoint the handler writes to (the fault proxy in front of the emulator). */
  readonly kinesis: string;
  /** The local STS and its writer role, when some destination assumes a role. */
  readonly sts?: LocalRoleEndpoint;
}

/**
 * Emulators take any keys; these make the SDK sign requests without looking for real ones.
 * A new object each time: the SDK annotates the credentials object it is given.
 */
export const emulatorCredentials = () => ({ accessKeyId: 'local', secretAccessKey: 'local' });

/** Whether a destination writes to the emulator in local mode (it names no endpoint of its own). */
export function isEmulated(destination: RuntimeConfig['destinations'][number]): boolean {
  return destination.endpoint === undefined;
}

/** Whether a destination assumes its role through the local STS in local mode. */
export function usesLocalSts(destination: RuntimeConfig['destinations'][number]): boolean {
  return (
    isEmulated(destination) && destination.roleArn !== undefined && destination.stsEndpoint === undefined
  );
}

/**
 * The streams local mode creates in the emulator: every stream an emulated destination names, its
 * failed-events stream (`failedStreamName`) included.
 */
export function emulatedStreams(config: RuntimeConfig): string[] {
  return [
    ...new Set(
      config.destinations
        .filter(isEmulated)
        .flatMap((destination) => [
          destination.streamName,
          ...(destination.failedStreamName === undefined ? [] : [destination.failedStreamName]),
        ]),
    ),
  ];
}

/** The external IDs of the destinations that assume a role through the local STS. */
export function localExternalIds(config: RuntimeConfig): string[] {
  return [
    ...new Set(
      config.destinations.filter(usesLocalSts).flatMap((destination) => destination.externalId ?? []),
    ),
  ];
}

/**
 * A validated configuration document as local mode runs it: destinations without an `endpoint`
 * write to the emulator (with the emulator's keys, or with a role assumed through the local STS,
 * which plays every `roleArn` with the writer role the CDK app synthesizes); everything else
 * (sources, pipelines, limits, delivery, CORS, destinations with their own endpoint) is unchanged.
 */
export function localizeConfig(config: RuntimeConfig, endpoints: LocalEndpoints): RuntimeConfigInput {
  return {
    ...config,
    destinations: config.destinations.map((destination) => {
      if (!isEmulated(destination)) return destination;
      if (usesLocalSts(destination)) {
        if (endpoints.sts === undefined)
          throw new Error('local mode: a role destination needs the local STS');
        return {
          ...destination,
          endpoint: endpoints.kinesis,
          roleArn: endpoints.sts.roleArn,
          stsEndpoint: endpoints.sts.stsEndpoint,
        };
      }
      return {
        ...destination,
        endpoint: endpoints.kinesis,
        ...(destination.roleArn === undefined && destination.credentials === undefined
          ? { credentials: emulatorCredentials() }
          : {}),
      };
    }),
  };
}

/** A write key as the banner shows it: enough to tell keys apart, not enough to use one. */
export function redactWriteKey(key: string): string {
  return key.length <= 4 ? '****' : `${key.slice(0, 4)}****`;
}

/** A source's `pipeline.enrich` as the banner names it: `bot drop, geo (bundled database), device`. */
function describeEnrichment(
  enrich: NonNullable<RuntimeConfig['sources'][number]['pipeline']['enrich']>,
): string {
  return [
    ...(enrich.bot === undefined ? [] : [`bot ${enrich.bot}`]),
    ...(enrich.geo === undefined ? [] : [`geo (${enrich.geo.database ?? 'bundled database'})`]),
    ...(enrich.device === true ? ['device'] : []),
  ].join(', ');
}

/** A source's tracking plan as the banner names it: `tracking plan (1 event; violations block, unplanned allow)`. */
function describeTrackingPlan(plan: NonNullable<RuntimeSource['trackingPlan']>): string {
  const events = Object.keys(plan.events).length;
  const checks = `${events} event${events === 1 ? '' : 's'}${plan.traits === undefined ? '' : ' and traits'}`;
  return `tracking plan (${checks}; violations ${plan.violations}, unplanned ${plan.unplanned})`;
}

/**
 * The banner's line on a source's identity cookie. The collector sets it only on answers to a host
 * under its domain, which `127.0.0.1` never is; a `*.localhost` domain works here as it is (browsers
 * send `*.localhost` to this machine and count it as secure, so they keep a `Secure` cookie over
 * http), at `collect.<domain>` on the collector's port.
 */
function identityCookieLine(
  cookie: NonNullable<RuntimeSource['identityCookie']>,
  collectorUrl?: string,
): string {
  const port = collectorUrl === undefined ? '<port>' : new URL(collectorUrl).port;
  const where = cookie.domain.endsWith('.localhost')
    ? `sent to http://collect.${cookie.domain}:${port} (not 127.0.0.1)`
    : `sent to a host under ${cookie.domain}, never to 127.0.0.1 here (use a *.localhost domain to try it)`;
  return `      identity cookie ${cookie.name} on ${cookie.domain}, ${cookie.maxAgeDays} days: set on answers to its allowed origins' pages ${where}`;
}

/**
 * The lines the banner prints about a configuration: sources (with rate limits and identity
 * cookies), destinations, pipelines. `collectorUrl` gives the identity cookie line its port.
 */
export function describeConfig(config: RuntimeConfig, collectorUrl?: string): string[] {
  const lines = ['  Sources:'];
  for (const source of config.sources) {
    const keys = (source.writeKeys ?? []).map(redactWriteKey).join(', ');
    const limit =
      source.rateLimit === undefined
        ? ''
        : `; rate limit ${source.rateLimit.eventsPerSecond} events/s, burst ${source.rateLimit.burst}, then ${source.rateLimit.status}`;
    lines.push(`    ${source.id} (write keys ${keys}) -> ${source.destinations.join(', ')}${limit}`);
    if (source.identityCookie !== undefined)
      lines.push(identityCookieLine(source.identityCookie, collectorUrl));
  }
  lines.push('  Destinations:');
  for (const destination of config.destinations) {
    const how = [
      destination.endpoint === undefined ? 'emulator' : destination.endpoint,
      ...(destination.roleArn === undefined ? [] : [`role ${destination.roleArn}`]),
      ...(destination.aggregate ? ['KPL aggregated'] : []),
      ...(destination.consent === undefined
        ? []
        : [`consent ${destination.consent.requiredCategories.join('+')}`]),
    ];
    const failed =
      destination.failedStreamName === undefined
        ? ''
        : `, refused events to "${destination.failedStreamName}"`;
    lines.push(`    ${destination.id} -> stream "${destination.streamName}"${failed} (${how.join(', ')})`);
  }
  lines.push('  Pipelines:');
  for (const source of config.sources) {
    const { pipeline } = source;
    const steps = [
      `format ${pipeline.recordFormat}`,
      `partition key ${source.partitionKey}`,
      pipeline.honourIntegrations
        ? `integrations["${pipeline.integrationName}"] honoured`
        : 'integrations ignored',
      ...(pipeline.consent === undefined
        ? []
        : [
            `consent ${pipeline.consent.requiredCategories.join('+')} (missing: ${pipeline.consent.whenMissing})`,
          ]),
      ...(source.trackingPlan === undefined ? [] : [describeTrackingPlan(source.trackingPlan)]),
      ...(pipeline.enrich === undefined ? [] : [`enrich ${describeEnrichment(pipeline.enrich)}`]),
      ...(pipeline.redact === undefined
        ? []
        : [
            ...(pipeline.redact.drop.length ? [`drop ${pipeline.redact.drop.join(', ')}`] : []),
            ...(pipeline.redact.hash.length ? [`hash ${pipeline.redact.hash.join(', ')}`] : []),
          ]),
    ];
    lines.push(`    ${source.id}: ${steps.join('; ')}`);
  }
  return lines;
}

/**
 * The keys local mode signs `AssumeRole` with: the local STS reads the caller's account from them
 * (every key belongs to the one local account) and checks no signature. Also what
 * `npm run check-destination` signs with when its endpoints are loopback ones, so trying it
 * against local mode needs no AWS credentials.
 */
export const LOCAL_CALLER_CREDENTIALS = {
  accessKeyId: 'AKIALOCALCOLLECTOR00',
  secretAccessKey: 'local-collector-secret',
} as const;

/** Whether a URL points at this machine (`127.x`, `localhost`, `[::1]`). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  } catch {
    return false;
  }
}
