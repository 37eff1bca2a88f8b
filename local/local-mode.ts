import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  parseRuntimeConfig,
  type RuntimeConfig,
  type RuntimeConfigInput,
  readRuntimeConfig,
} from '../lambda/config/runtime-config';
import { failedStreamNameOf } from '../lambda/contract/failed-stream-name';
import { EXTERNAL_ID_CHARACTERS, EXTERNAL_ID_PATTERN } from '../lambda/contract/iam-identifiers';
import { LOCAL_SUPPRESSION_TABLE_NAME } from '../lambda/contract/suppression-table';
import type { CollectorHandler } from '../lambda/handler';
import { startApiGatewayServer } from './api-gateway-server';
import { DEBUG_PAGE_PATH, type DebugPage, startDebugPage } from './debug-page';
import { pageViewOf } from './debug-page-rules';
import { type DynamoDbEmulator, startDynamoDbEmulator } from './dynamodb-emulator';
import { type FaultProxy, type LocalFaults, NO_FAULTS, startFaultProxy } from './fault-proxy';
import { FAULT_SWITCHES_SCRIPT, faultSwitchesControls } from './fault-switches';
import { FAULTS_PATH, faultsRoute } from './faults-route';
import { type KinesisEmulator, startKinesisEmulator } from './kinesis-emulator';
import {
  emulatedStreams,
  emulatorCredentials,
  isEmulated,
  localExternalIds,
  localizeConfig,
  usesLocalSts,
} from './local-config';
import { DEFAULT_KINESIS_PORT } from './local-kinesis-endpoint';
import { type LocalSts, startLocalSts } from './local-sts';
import {
  type LocalWriteKeys,
  readWriteKeysFile,
  type WriteKeysBySource,
  WriteKeysFileError,
  withLocalWriteKeys,
} from './local-write-keys';
import { emulatorDynamoDbClient, ensureSeenTable, ensureSuppressionTable } from './seen-table';
import { ensureStream } from './streams';

export { emulatorCredentials, LOCAL_CALLER_CREDENTIALS } from './local-config';

/** The local mode's settings: the contract `npm start` keeps with its users and tests. */
export interface LocalModeSettings {
  /** Collector port. Env `PORT`. @default 8080 */
  readonly port: number;
  /** Host the collector and emulator bind to. Env `HOST`. @default '127.0.0.1' */
  readonly host: string;
  /** Emulator port. Env `KINESIS_PORT`. @default 4567 */
  readonly kinesisPort: number;
  /** A Kinesis-compatible endpoint already running; no emulator is started. Env `KINESIS_ENDPOINT`. */
  readonly kinesisEndpoint?: string;
  /** Env `STREAM_NAME` (without a configuration document). @default 'events' */
  readonly streamName: string;
  /**
   * The failed-events stream of source `dev`, created next to the main one (without a configuration
   * document). Env `FAILED_STREAM_NAME`. @default '<streamName>-failed'
   */
  readonly failedStreamName: string;
  /**
   * Env `TRACKING_PLAN_FILE`: the tracking plan of source `dev` (a JSON file in the format of
   * docs/data-quality.md), read once at start. @default - no tracking plan
   */
  readonly trackingPlan?: unknown;
  /** Shards of each stream local mode creates. Env `SHARD_COUNT`. @default 2 */
  readonly shardCount: number;
  /** Env `WRITE_KEY` (without a configuration document); mapped to source `dev`. @default 'dev-write-key' */
  readonly writeKey: string;
  /** Env `AWS_REGION`. @default 'us-east-1' */
  readonly region: string;
  /**
   * Env `EXTERNAL_ID` (without a configuration document): when set, a local STS runs and the dev
   * destination writes only with credentials from `AssumeRole` of the CDK app's writer role with
   * this external ID. @default - none; `dev-external-id` when `TRUSTED_EXTERNAL_IDS` is set
   */
  readonly externalId?: string;
  /**
   * Env `TRUSTED_EXTERNAL_IDS` (comma-separated): the external IDs the writer role's trust policy
   * accepts. @default [externalId], or with a document the external IDs its destinations use
   */
  readonly trustedExternalIds: readonly string[];
  /** Port of the local STS. Env `STS_PORT`. @default 0 (a free port) */
  readonly stsPort: number;
  /** A configuration document's path: `--config <path>` or env `COLLECTOR_CONFIG_FILE`. */
  readonly configFile?: string;
  /** A configuration document itself. Env `COLLECTOR_CONFIG`. */
  readonly configJson?: string;
  /** Port of the DynamoDB emulator (dynalite), started when a source sets `dedup`. Env `DYNAMODB_PORT`. @default 4568 */
  readonly dynamodbPort: number;
  /** A DynamoDB-compatible endpoint already running; no emulator is started. Env `DYNAMODB_ENDPOINT`. */
  readonly dynamodbEndpoint?: string;
  /** The dedup table local mode creates there. Env `DEDUP_TABLE_NAME`. @default 'dedup' */
  readonly dedupTableName: string;
  /**
   * The write keys of a document's sources, in the write-key secret's shape (`{ "<sourceId>":
   * ["<key>"] }`). Env `WRITE_KEYS_FILE`, read once at start. @default - a development key for each
   * source without keys, printed in the banner
   */
  readonly writeKeysFile?: { readonly path: string; readonly keys: WriteKeysBySource };
  /**
   * Env `DELIVERY_BUDGET_MS` (without a configuration document; a document says `delivery.budgetMs`):
   * the longest time one request spends writing, retries included, before it spills or answers
   * 503/429. Shorter than the deployed 6 s lets a failure show at once (tests, trying faults).
   * @default - the deployed default (6000)
   */
  readonly deliveryBudgetMs?: number;
  /**
   * Env `KINESIS_ENDPOINT_RETRY_MS`: how long local mode waits between attempts to reach a
   * `KINESIS_ENDPOINT` that did not answer at start. @default 2000
   */
  readonly kinesisEndpointRetryMs: number;
}

/**
 * The external ID local mode assumes the writer role with when `TRUSTED_EXTERNAL_IDS` is set without
 * `EXTERNAL_ID` (and without a document): the banner says whether the role trusts it.
 */
export const DEFAULT_LOCAL_EXTERNAL_ID = 'dev-external-id';

/** Settings are invalid; the message names the variable and what to do. */
export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
}

/** A whole number of milliseconds from `min` to `max` in `env[name]`, or `undefined` when unset. */
function milliseconds(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new LocalSettingsError(
      `${name}=${value} must be a whole number of milliseconds from ${min} to ${max}: set it in that range or unset it`,
    );
  }
  return parsed;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new LocalSettingsError(`${name}=${value} is not a port number (0-65535)`);
  }
  return parsed;
}

/** `npm start -- --config <path>`: the command line's configuration document, if any. */
function configFileArgument(argv: readonly string[]): string | undefined {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    return values.config;
  } catch (error) {
    throw new LocalSettingsError(
      `${(error as Error).message}: npm start takes only --config <path> (npm start -- --config examples/fan-out.json)`,
    );
  }
}

/** Reads the local mode's environment and command line once, with the documented defaults. */
export function localModeSettings(env: NodeJS.ProcessEnv, argv: readonly string[] = []): LocalModeSettings {
  const shardCount = Number(env.SHARD_COUNT || '2');
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 100) {
    throw new LocalSettingsError(`SHARD_COUNT=${env.SHARD_COUNT} must be a whole number from 1 to 100`);
  }
  const configFile = configFileArgument(argv) ?? (env.COLLECTOR_CONFIG_FILE || undefined);
  const configJson = env.COLLECTOR_CONFIG || undefined;
  if (configFile !== undefined && configJson !== undefined) {
    throw new LocalSettingsError(
      'Set one configuration document, not both COLLECTOR_CONFIG and a file (COLLECTOR_CONFIG_FILE or --config): unset one',
    );
  }
  const withDocument = configFile !== undefined || configJson !== undefined;
  // TRUSTED_EXTERNAL_IDS alone (`TRUSTED_EXTERNAL_IDS=other npm start`) runs the local STS too, with
  // a fixed external ID for the collector, so the documented command shows a role refusing it.
  const externalId =
    env.EXTERNAL_ID || (env.TRUSTED_EXTERNAL_IDS && !withDocument ? DEFAULT_LOCAL_EXTERNAL_ID : undefined);
  const trustedExternalIds = env.TRUSTED_EXTERNAL_IDS
    ? env.TRUSTED_EXTERNAL_IDS.split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
    : externalId === undefined
      ? []
      : [externalId];
  for (const [name, id] of [
    ['EXTERNAL_ID', externalId],
    ...trustedExternalIds.map((trusted) => ['TRUSTED_EXTERNAL_IDS', trusted] as const),
  ] as const) {
    if (id !== undefined && !EXTERNAL_ID_PATTERN.test(id)) {
      throw new LocalSettingsError(`${name}: "${id}" is not an external ID; use ${EXTERNAL_ID_CHARACTERS}`);
    }
  }
  if (
    env.TRUSTED_EXTERNAL_IDS !== undefined &&
    env.TRUSTED_EXTERNAL_IDS !== '' &&
    trustedExternalIds.length === 0
  ) {
    throw new LocalSettingsError(
      'TRUSTED_EXTERNAL_IDS names no external ID: list at least one, comma-separated',
    );
  }
  const streamName = env.STREAM_NAME || 'events';
  const failedStreamName = env.FAILED_STREAM_NAME || failedStreamNameOf(streamName);
  if (failedStreamName === streamName) {
    throw new LocalSettingsError(
      `FAILED_STREAM_NAME=${failedStreamName} is the main stream: give the failed-events stream its own name`,
    );
  }
  const planFile = env.TRACKING_PLAN_FILE || undefined;
  const keysFile = env.WRITE_KEYS_FILE || undefined;
  if (keysFile !== undefined && !withDocument) {
    throw new LocalSettingsError(
      'WRITE_KEYS_FILE is only used with a configuration document: set WRITE_KEY for source dev, or give a document',
    );
  }
  // The range of the document's `delivery.budgetMs` (runtime-config.ts).
  const deliveryBudgetMs = milliseconds(env, 'DELIVERY_BUDGET_MS', 100, 29_000);
  if (deliveryBudgetMs !== undefined && withDocument) {
    throw new LocalSettingsError(
      'DELIVERY_BUDGET_MS is only used without a configuration document: set "delivery": { "budgetMs": ... } in the document instead, or unset it',
    );
  }
  let writeKeysFile: LocalModeSettings['writeKeysFile'];
  try {
    writeKeysFile =
      keysFile === undefined ? undefined : { path: keysFile, keys: readWriteKeysFile(keysFile) };
  } catch (error) {
    if (error instanceof WriteKeysFileError) throw new LocalSettingsError(error.message, { cause: error });
    throw error;
  }
  return {
    ...(writeKeysFile === undefined ? {} : { writeKeysFile }),
    ...(externalId === undefined ? {} : { externalId }),
    ...(planFile === undefined ? {} : { trackingPlan: readTrackingPlan(planFile) }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(configJson === undefined ? {} : { configJson }),
    ...(deliveryBudgetMs === undefined ? {} : { deliveryBudgetMs }),
    kinesisEndpointRetryMs: milliseconds(env, 'KINESIS_ENDPOINT_RETRY_MS', 10, 600_000) ?? 2000,
    trustedExternalIds,
    port: port(env, 'PORT', 8080),
    host: env.HOST || '127.0.0.1',
    kinesisPort: port(env, 'KINESIS_PORT', DEFAULT_KINESIS_PORT),
    stsPort: port(env, 'STS_PORT', 0),
    kinesisEndpoint: env.KINESIS_ENDPOINT || undefined,
    dynamodbPort: port(env, 'DYNAMODB_PORT', 4568),
    ...(env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: env.DYNAMODB_ENDPOINT } : {}),
    dedupTableName: env.DEDUP_TABLE_NAME || 'dedup',
    streamName,
    failedStreamName,
    shardCount,
    writeKey: env.WRITE_KEY || 'dev-write-key',
    region: env.AWS_REGION || 'us-east-1',
  };
}

/** The JSON of `TRACKING_PLAN_FILE`; the collector's configuration load checks it is a plan. */
function readTrackingPlan(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LocalSettingsError(`TRACKING_PLAN_FILE=${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LocalSettingsError(`TRACKING_PLAN_FILE=${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Source `dev` of local mode without a document, with its tracking plan when one is given. */
function devSource(settings: LocalModeSettings): RuntimeConfigInput['sources'][number] {
  return {
    id: 'dev',
    writeKeys: [settings.writeKey],
    destinations: ['local-kinesis'],
    ...(settings.trackingPlan === undefined
      ? {}
      : {
          trackingPlan: settings.trackingPlan as NonNullable<
            RuntimeConfigInput['sources'][number]['trackingPlan']
          >,
        }),
  };
}

/** The local stream as the destination of source `dev` (how it is reached is up to the caller). */
function devDestination(settings: LocalModeSettings): RuntimeConfigInput['destinations'][number] {
  return {
    id: 'local-kinesis',
    streamName: settings.streamName,
    failedStreamName: settings.failedStreamName,
    region: settings.region,
  };
}

/** The role ARN the default configuration names when `EXTERNAL_ID` is set; the local STS plays it. */
const DEFAULT_ROLE_ARN = 'arn:aws:iam::000000000000:role/local-writer';

/**
 * The collector configuration of local mode without a document: source `dev` writing to the local
 * stream with the emulator's static keys.
 */
export function localCollectorConfig(
  settings: LocalModeSettings,
  kinesisEndpoint: string,
): RuntimeConfigInput {
  return {
    sources: [devSource(settings)],
    destinations: [
      { ...devDestination(settings), endpoint: kinesisEndpoint, credentials: emulatorCredentials() },
    ],
  };
}

/**
 * The configuration local mode runs, validated with the Lambda's own messages (an invalid one
 * throws `InvalidConfigError` listing every problem): the document of `--config`,
 * `COLLECTOR_CONFIG_FILE` or `COLLECTOR_CONFIG`, or without one source `dev` (`WRITE_KEY`) writing
 * to `STREAM_NAME`, through the writer role when `EXTERNAL_ID` is set.
 */
export function localRuntimeConfig(settings: LocalModeSettings): RuntimeConfig {
  return localRuntimeSetup(settings).config;
}

/**
 * {@link localRuntimeConfig} with what local mode says about its write keys: a document's sources
 * get their keys from the document, `WRITE_KEYS_FILE` or a development key (local-write-keys.ts).
 */
export function localRuntimeSetup(settings: LocalModeSettings): LocalWriteKeys {
  if (settings.configFile !== undefined || settings.configJson !== undefined) {
    const document = readRuntimeConfig(
      {
        ...(settings.configJson === undefined ? {} : { COLLECTOR_CONFIG: settings.configJson }),
        ...(settings.configFile === undefined ? {} : { COLLECTOR_CONFIG_FILE: settings.configFile }),
      },
      { writeKeysFromSecret: true },
    );
    return withLocalWriteKeys(document, settings.writeKeysFile);
  }
  const config = parseRuntimeConfig({
    sources: [devSource(settings)],
    destinations: [
      {
        ...devDestination(settings),
        ...(settings.externalId === undefined
          ? {}
          : { roleArn: DEFAULT_ROLE_ARN, externalId: settings.externalId }),
      },
    ],
    ...(settings.deliveryBudgetMs === undefined ? {} : { delivery: { budgetMs: settings.deliveryBudgetMs } }),
  });
  return { config, devKeys: {}, warnings: [] };
}

/** A client of an emulator endpoint (HTTP/1.1: emulators do not speak HTTP/2). */
export function emulatorClient(endpoint: string, region: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region,
    credentials: emulatorCredentials(),
    requestHandler: new NodeHttpHandler(),
  });
}

/** The local STS as the collector and `npm run check-destination` reach it. */
export interface LocalStsRole {
  /** The fault proxy in front of the local STS: the `stsEndpoint` destinations use. */
  readonly stsEndpoint: string;
  /** The CDK app's writer role, as the local STS plays it. */
  readonly roleArn: string;
  /** The external IDs its trust policy accepts. */
  readonly trustedExternalIds: readonly string[];
}

export interface LocalMode {
  readonly collectorUrl: string;
  /** The live events page (`/_debug`). */
  readonly debugUrl: string;
  /** The fault switches (`POST /_local/faults`). */
  readonly faultsUrl: string;
  /** The emulator (or `KINESIS_ENDPOINT`): where to read the streams. */
  readonly kinesisEndpoint: string;
  /** The fault proxy in front of it: where the collector writes. */
  readonly kinesisWriteEndpoint: string;
  /** Whether the emulator was started here (else `KINESIS_ENDPOINT` was used). */
  readonly startedEmulator: boolean;
  /** The configuration running, as validated (before local endpoints were filled in). */
  readonly config: RuntimeConfig;
  /** The streams created in the emulator (or being created, while `KINESIS_ENDPOINT` is unreachable). */
  readonly streams: readonly string[];
  /** The local STS and the role it lets the collector assume, when a destination assumes a role. */
  readonly sts?: LocalStsRole;
  /** The dedup table and its endpoint, when a source sets `dedup`. */
  readonly dedup?: LocalDedupTable;
  /** The suppression table and its endpoint, when a source sets `suppression`. */
  readonly suppression?: LocalDedupTable;
  /** Problems that did not stop the start, each saying what happens and how to fix it. */
  readonly warnings: readonly string[];
  /** Development keys made up for a document's sources without keys, by source id (the banner prints them). */
  readonly devWriteKeys: Readonly<Record<string, string>>;
  /** The faults in force (`POST /_local/faults` changes them). */
  faults(): LocalFaults;
  /** Resolves once every stream exists (at once, unless `KINESIS_ENDPOINT` was unreachable). */
  readonly streamsReady: Promise<void>;
  stop(): Promise<void>;
}

export interface LocalModeHooks {
  /** Told what happens later on (an unreachable endpoint answering at last). @default console.log */
  readonly notice?: (line: string) => void;
}

/** Where local mode keeps the dedup table: dynalite (or `DYNAMODB_ENDPOINT`). */
export interface LocalDedupTable {
  readonly endpoint: string;
  readonly tableName: string;
}

/** What the handler loader learns about the local endpoints. */
export interface LocalHandlerContext {
  /** Some destination assumes its role through the local STS (sign with LOCAL_CALLER_CREDENTIALS). */
  readonly usesLocalSts: boolean;
  /** The dedup table, when a source sets `dedup` (the handler's `DEDUP_TABLE_NAME`, `DYNAMODB_ENDPOINT`). */
  readonly dedup?: LocalDedupTable;
  /** The suppression table, when a source sets `suppression` (the handler's `SUPPRESSION_TABLE_NAME`). */
  readonly suppression?: LocalDedupTable;
}

/**
 * Starts dynalite (unless `DYNAMODB_ENDPOINT` is given) and creates the dedup table when a source of
 * `config` sets `dedup`, the suppression table when one sets `suppression`; otherwise nothing.
 */
async function startDedupTable(
  config: RuntimeConfig,
  settings: LocalModeSettings,
): Promise<
  { table?: LocalDedupTable; suppression?: LocalDedupTable; emulator?: DynamoDbEmulator } | undefined
> {
  const dedup = config.sources.some((source) => source.dedup !== undefined);
  const suppression = config.sources.some((source) => source.suppression?.enabled === true);
  if (!dedup && !suppression) return undefined;
  const emulator =
    settings.dynamodbEndpoint === undefined
      ? await startDynamoDbEmulator({ port: settings.dynamodbPort, host: settings.host })
      : undefined;
  const endpoint = settings.dynamodbEndpoint ?? (emulator as DynamoDbEmulator).endpoint;
  const client = emulatorDynamoDbClient(endpoint, settings.region);
  try {
    if (dedup) await ensureSeenTable(client, settings.dedupTableName);
    if (suppression) await ensureSuppressionTable(client, LOCAL_SUPPRESSION_TABLE_NAME);
  } catch (error) {
    await emulator?.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return {
    ...(dedup ? { table: { endpoint, tableName: settings.dedupTableName } } : {}),
    ...(suppression ? { suppression: { endpoint, tableName: LOCAL_SUPPRESSION_TABLE_NAME } } : {}),
    ...(emulator ? { emulator } : {}),
  };
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT']);

function isConnectionError(error: unknown): boolean {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  return (
    CONNECTION_ERRORS.has(code ?? '') ||
    name === 'TimeoutError' ||
    [...CONNECTION_ERRORS].some((c) => message?.includes(c))
  );
}

/**
 * Starts the whole local path: the Kinesis emulator (unless an endpoint is given), every stream
 * the configuration names, the local STS when a destination assumes a role, fault proxies in front
 * of both, and the local API Gateway in front of the handler that `loadHandler` returns for the
 * configuration. An unreachable `KINESIS_ENDPOINT` is a warning, not a refusal: the collector
 * answers 503 (or spills) until the endpoint answers, and the streams are created then.
 */
export async function startLocalMode(
  settings: LocalModeSettings,
  loadHandler: (config: RuntimeConfigInput, context: LocalHandlerContext) => Promise<CollectorHandler>,
  hooks: LocalModeHooks = {},
): Promise<LocalMode> {
  const setup = localRuntimeSetup(settings);
  const { config } = setup;
  const notice = hooks.notice ?? ((line: string) => console.log(line));
  const streams = emulatedStreams(config);
  const warnings: string[] = [...setup.warnings];
  let faults: LocalFaults = NO_FAULTS;
  let emulator: KinesisEmulator | undefined;
  if (settings.kinesisEndpoint === undefined) {
    emulator = await startKinesisEmulator({ port: settings.kinesisPort, host: settings.host });
  }
  const kinesisEndpoint = settings.kinesisEndpoint ?? (emulator as KinesisEmulator).endpoint;
  const stopping = new AbortController();
  const proxies: FaultProxy[] = [];
  let sts: LocalSts | undefined;
  let debugPage: DebugPage | undefined;
  let dedup: Awaited<ReturnType<typeof startDedupTable>>;
  try {
    dedup = await startDedupTable(config, settings);
    const kinesisProxy = await startFaultProxy({
      upstream: kinesisEndpoint,
      service: 'kinesis',
      faults: () => faults,
    });
    proxies.push(kinesisProxy);

    const createStreams = async () => {
      const client = new KinesisClient({
        endpoint: kinesisEndpoint,
        region: settings.region,
        credentials: emulatorCredentials(),
        requestHandler: new NodeHttpHandler({ connectionTimeout: 2000 }),
        maxAttempts: 1,
      });
      try {
        for (const stream of streams) await ensureStream(client, stream, settings.shardCount);
      } finally {
        client.destroy();
      }
    };
    let streamsReady: Promise<void>;
    let endpointAnswered = true;
    try {
      await createStreams();
      streamsReady = Promise.resolve();
    } catch (error) {
      if (emulator !== undefined || !isConnectionError(error)) throw error;
      endpointAnswered = false;
      warnings.push(
        `KINESIS_ENDPOINT ${kinesisEndpoint} does not answer (${(error as Error).message}): the collector starts anyway and answers 503 with Retry-After (or spills to SPILL_DIR) until it does; the streams are created as soon as it answers. To fix: start the Kinesis emulator there, or unset KINESIS_ENDPOINT and npm start runs one.`,
      );
      streamsReady = (async () => {
        while (!stopping.signal.aborted) {
          await sleep(settings.kinesisEndpointRetryMs);
          if (stopping.signal.aborted) return;
          try {
            await createStreams();
            notice(
              `kinesis-event-forwarder: KINESIS_ENDPOINT ${kinesisEndpoint} answers now; streams ${streams.join(', ')} ready`,
            );
            return;
          } catch (retryError) {
            if (!isConnectionError(retryError)) {
              notice(
                `kinesis-event-forwarder: cannot create the streams at ${kinesisEndpoint}: ${(retryError as Error).message}`,
              );
              return;
            }
          }
        }
      })();
    }

    let localSts: LocalStsRole | undefined;
    if (config.destinations.some(usesLocalSts)) {
      const trusted =
        settings.trustedExternalIds.length > 0 ? settings.trustedExternalIds : localExternalIds(config);
      if (trusted.length === 0) {
        throw new LocalSettingsError(
          'A destination assumes a role but none names an externalId, and the writer role trusts only external IDs: add "externalId" to the destination (or set TRUSTED_EXTERNAL_IDS)',
        );
      }
      // Loaded here, not at start: synthesizing the role loads aws-cdk-lib (~0.4 s of CPU), which
      // a collector that assumes no role never needs.
      const { synthesizeWriterRole } = await import('./trust-policy');
      const role = synthesizeWriterRole({ externalIds: trusted, region: settings.region });
      sts = await startLocalSts({ role, host: settings.host, port: settings.stsPort }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EADDRINUSE') throw error;
          throw new LocalSettingsError(
            `Port ${settings.stsPort} is already in use: stop what uses it or set STS_PORT to a free port (STS_PORT=0 picks one)`,
          );
        },
      );
      const stsProxy = await startFaultProxy({
        upstream: sts.endpoint,
        service: 'sts',
        faults: () => faults,
      });
      proxies.push(stsProxy);
      localSts = { stsEndpoint: stsProxy.url, roleArn: role.roleArn, trustedExternalIds: trusted };
    }

    const handler = await loadHandler(
      localizeConfig(config, {
        kinesis: kinesisProxy.url,
        ...(localSts === undefined ? {} : { sts: localSts }),
      }),
      {
        usesLocalSts: localSts !== undefined,
        ...(dedup?.table === undefined ? {} : { dedup: dedup.table }),
        ...(dedup?.suppression === undefined ? {} : { suppression: dedup.suppression }),
      },
    );
    const pageDestinations = config.destinations.filter(isEmulated).map((destination) => ({
      id: destination.id,
      streamName: destination.streamName,
      ...(destination.failedStreamName === undefined
        ? {}
        : { failedStreamName: destination.failedStreamName }),
    }));
    const startPage = async () => {
      if (pageDestinations.length === 0 || stopping.signal.aborted) return;
      debugPage = await startDebugPage({
        client: emulatorClient(kinesisEndpoint, settings.region),
        destinations: pageDestinations,
        secrets: config.sources.flatMap((source) => source.writeKeys ?? []),
        view: pageViewOf(config.sources),
        controls: faultSwitchesControls(localSts !== undefined),
        scripts: [FAULT_SWITCHES_SCRIPT],
      });
    };
    if (endpointAnswered) await startPage();
    else streamsReady.then(startPage).catch((error: unknown) => notice(`local collector: /_debug: ${error}`));

    const switches = faultsRoute({
      get: () => faults,
      set: (next) => {
        faults = next;
      },
    });
    const pageRoute = (request: IncomingMessage, response: ServerResponse): boolean => {
      if (debugPage !== undefined) return debugPage.route(request, response);
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (!path.startsWith(DEBUG_PAGE_PATH)) return false;
      response
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' })
        .end(`The live events page starts once ${kinesisEndpoint} answers.\n`);
      return true;
    };
    const collector = await startApiGatewayServer({
      handler,
      port: settings.port,
      host: settings.host,
      localRoutes: (request, response) => switches(request, response) || pageRoute(request, response),
      onExchange: (event, result) => debugPage?.recordExchange(event, result),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new LocalSettingsError(
        `Port ${settings.port} is already in use: stop what uses it or set PORT to a free port (PORT=0 picks one)`,
      );
    });
    return {
      collectorUrl: collector.url,
      debugUrl: `${collector.url}${DEBUG_PAGE_PATH}`,
      faultsUrl: `${collector.url}${FAULTS_PATH}`,
      kinesisEndpoint,
      kinesisWriteEndpoint: kinesisProxy.url,
      startedEmulator: emulator !== undefined,
      config,
      streams,
      ...(localSts === undefined ? {} : { sts: localSts }),
      ...(dedup?.table === undefined ? {} : { dedup: dedup.table }),
      ...(dedup?.suppression === undefined ? {} : { suppression: dedup.suppression }),
      warnings,
      devWriteKeys: setup.devKeys,
      faults: () => faults,
      streamsReady,
      stop: async () => {
        stopping.abort();
        await collector.close();
        await debugPage?.stop();
        for (const proxy of proxies) await proxy.stop();
        await sts?.stop();
        await emulator?.stop();
        await dedup?.emulator?.stop();
      },
    };
  } catch (error) {
    stopping.abort();
    await debugPage?.stop();
    for (const proxy of proxies) await proxy.stop();
    await sts?.stop();
    await emulator?.stop();
    await dedup?.emulator?.stop();
    throw error;
  }
}
