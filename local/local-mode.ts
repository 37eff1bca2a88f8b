import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RuntimeConfigInput } from '../lambda/config/runtime-config';
import { DEBUG_PAGE_PATH, type DebugPage, startDebugPage } from './debug-page';
import { type KinesisEmulator, startKinesisEmulator } from './kinesis-emulator';
import { type HttpApiHandler, startLocalCollector } from './local-collector';
import { type LocalSts, startLocalSts } from './local-sts';
import { ensureStream } from './streams';
import { synthesizeWriterRole } from './trust-policy';

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
  /** Env `STREAM_NAME`. @default 'events' */
  readonly streamName: string;
  /** Env `SHARD_COUNT`. @default 2 */
  readonly shardCount: number;
  /** Env `WRITE_KEY`; mapped to source `dev`. @default 'dev-write-key' */
  readonly writeKey: string;
  /** Env `AWS_REGION`. @default 'us-east-1' */
  readonly region: string;
  /**
   * Env `EXTERNAL_ID`: when set, a local STS runs and the dev destination writes only with
   * credentials from `AssumeRole` of the CDK app's writer role with this external ID.
   */
  readonly externalId?: string;
  /**
   * Env `TRUSTED_EXTERNAL_IDS` (comma-separated): the external IDs the writer role's trust policy
   * accepts. @default [externalId]
   */
  readonly trustedExternalIds: readonly string[];
}

/** Settings are invalid; the message names the variable and what to do. */
export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
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

/** Reads the local mode's environment once, with the documented defaults. */
export function localModeSettings(env: NodeJS.ProcessEnv): LocalModeSettings {
  const shardCount = Number(env.SHARD_COUNT || '2');
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 100) {
    throw new LocalSettingsError(`SHARD_COUNT=${env.SHARD_COUNT} must be a whole number from 1 to 100`);
  }
  const externalId = env.EXTERNAL_ID || undefined;
  const trustedExternalIds = env.TRUSTED_EXTERNAL_IDS
    ? env.TRUSTED_EXTERNAL_IDS.split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
    : externalId === undefined
      ? []
      : [externalId];
  if (externalId === undefined && env.TRUSTED_EXTERNAL_IDS) {
    throw new LocalSettingsError('TRUSTED_EXTERNAL_IDS is only used with EXTERNAL_ID: set EXTERNAL_ID too');
  }
  for (const [name, id] of [
    ['EXTERNAL_ID', externalId],
    ...trustedExternalIds.map((trusted) => ['TRUSTED_EXTERNAL_IDS', trusted] as const),
  ] as const) {
    if (id !== undefined && !EXTERNAL_ID_PATTERN.test(id)) {
      throw new LocalSettingsError(
        `${name}: "${id}" is not an external ID; use 2-1224 characters of letters, digits and + = , . @ : / _ -`,
      );
    }
  }
  if (externalId !== undefined && trustedExternalIds.length === 0) {
    throw new LocalSettingsError(
      'TRUSTED_EXTERNAL_IDS names no external ID: list at least one, comma-separated',
    );
  }
  return {
    ...(externalId === undefined ? {} : { externalId }),
    trustedExternalIds,
    port: port(env, 'PORT', 8080),
    host: env.HOST || '127.0.0.1',
    kinesisPort: port(env, 'KINESIS_PORT', 4567),
    kinesisEndpoint: env.KINESIS_ENDPOINT || undefined,
    streamName: env.STREAM_NAME || 'events',
    shardCount,
    writeKey: env.WRITE_KEY || 'dev-write-key',
    region: env.AWS_REGION || 'us-east-1',
  };
}

/**
 * Emulators take any keys; these make the SDK sign requests without looking for real ones.
 * A new object each time: the SDK annotates the credentials object it is given.
 */
export const emulatorCredentials = () => ({ accessKeyId: 'local', secretAccessKey: 'local' });

/** External IDs as AWS accepts them (the same rule as the CDK app's `externalIds`). */
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * The keys local mode signs `AssumeRole` with: the local STS reads the caller's account from them
 * (every key belongs to the one local account) and checks no signature.
 */
export const LOCAL_CALLER_CREDENTIALS = {
  accessKeyId: 'AKIALOCALCOLLECTOR00',
  secretAccessKey: 'local-collector-secret',
} as const;

/** The writer role local mode assumes through the local STS. */
export interface LocalWriterRole {
  readonly roleArn: string;
  readonly externalId: string;
  readonly stsEndpoint: string;
}

/**
 * The collector configuration of local mode: source `dev` writing to the local stream, with the
 * emulator's static keys, or through the local STS's writer role when one is given.
 */
export function localCollectorConfig(
  settings: LocalModeSettings,
  kinesisEndpoint: string,
  writerRole?: LocalWriterRole,
): RuntimeConfigInput {
  return {
    sources: [{ id: 'dev', writeKeys: [settings.writeKey], destinations: ['local-kinesis'] }],
    destinations: [
      {
        id: 'local-kinesis',
        streamName: settings.streamName,
        region: settings.region,
        endpoint: kinesisEndpoint,
        ...(writerRole === undefined ? { credentials: emulatorCredentials() } : writerRole),
      },
    ],
  };
}

/** A Kinesis client for an emulator endpoint (HTTP/1.1: emulators do not speak HTTP/2). */
export function emulatorClient(endpoint: string, region: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region,
    credentials: emulatorCredentials(),
    requestHandler: new NodeHttpHandler(),
  });
}

export interface LocalMode {
  readonly collectorUrl: string;
  /** The live events page (`/_debug`). */
  readonly debugUrl: string;
  readonly kinesisEndpoint: string;
  /** Whether the emulator was started here (else `KINESIS_ENDPOINT` was used). */
  readonly startedEmulator: boolean;
  /** The local STS and the role it lets the collector assume, when `EXTERNAL_ID` is set. */
  readonly writerRole?: LocalWriterRole & { readonly trustedExternalIds: readonly string[] };
  stop(): Promise<void>;
}

/**
 * Starts the whole local path: the Kinesis emulator (unless an endpoint is given), the stream,
 * and the local API Gateway in front of the handler that `loadHandler` returns for the config.
 */
export async function startLocalMode(
  settings: LocalModeSettings,
  loadHandler: (config: RuntimeConfigInput) => Promise<HttpApiHandler>,
): Promise<LocalMode> {
  let emulator: KinesisEmulator | undefined;
  if (settings.kinesisEndpoint === undefined) {
    emulator = await startKinesisEmulator({ port: settings.kinesisPort, host: settings.host });
  }
  const kinesisEndpoint = settings.kinesisEndpoint ?? (emulator as KinesisEmulator).endpoint;
  let sts: LocalSts | undefined;
  let debugPage: DebugPage | undefined;
  try {
    const client = emulatorClient(kinesisEndpoint, settings.region);
    await ensureStream(client, settings.streamName, settings.shardCount);
    client.destroy();
    let writerRole: LocalWriterRole | undefined;
    if (settings.externalId !== undefined) {
      const role = synthesizeWriterRole({
        externalIds: settings.trustedExternalIds,
        region: settings.region,
      });
      sts = await startLocalSts({ role, host: settings.host });
      writerRole = { roleArn: role.roleArn, externalId: settings.externalId, stsEndpoint: sts.endpoint };
    }
    const handler = await loadHandler(localCollectorConfig(settings, kinesisEndpoint, writerRole));
    debugPage = await startDebugPage({
      client: emulatorClient(kinesisEndpoint, settings.region),
      streamName: settings.streamName,
      secrets: [settings.writeKey],
    });
    const collector = await startLocalCollector({
      handler,
      port: settings.port,
      host: settings.host,
      localRoutes: debugPage.route,
      onExchange: debugPage.recordExchange,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new LocalSettingsError(
        `Port ${settings.port} is already in use: stop what uses it or set PORT to a free port (PORT=0 picks one)`,
      );
    });
    return {
      collectorUrl: collector.url,
      debugUrl: `${collector.url}${DEBUG_PAGE_PATH}`,
      kinesisEndpoint,
      startedEmulator: emulator !== undefined,
      ...(writerRole === undefined
        ? {}
        : { writerRole: { ...writerRole, trustedExternalIds: settings.trustedExternalIds } }),
      stop: async () => {
        await collector.close();
        await debugPage?.stop();
        await sts?.stop();
        await emulator?.stop();
      },
    };
  } catch (error) {
    await debugPage?.stop();
    await sts?.stop();
    await emulator?.stop();
    throw error;
  }
}
