import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RuntimeConfigInput } from '../lambda/config/runtime-config';
import { type KinesisEmulator, startKinesisEmulator } from './kinesis-emulator';
import { type HttpApiHandler, startLocalCollector } from './local-collector';
import { ensureStream } from './streams';

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
  return {
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

/** The collector configuration of local mode: source `dev` writing to the local stream. */
export function localCollectorConfig(
  settings: LocalModeSettings,
  kinesisEndpoint: string,
): RuntimeConfigInput {
  return {
    sources: [{ id: 'dev', writeKeys: [settings.writeKey], destinations: ['local-kinesis'] }],
    destinations: [
      {
        id: 'local-kinesis',
        streamName: settings.streamName,
        region: settings.region,
        endpoint: kinesisEndpoint,
        credentials: emulatorCredentials(),
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
  readonly kinesisEndpoint: string;
  /** Whether the emulator was started here (else `KINESIS_ENDPOINT` was used). */
  readonly startedEmulator: boolean;
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
  try {
    const client = emulatorClient(kinesisEndpoint, settings.region);
    await ensureStream(client, settings.streamName, settings.shardCount);
    client.destroy();
    const handler = await loadHandler(localCollectorConfig(settings, kinesisEndpoint));
    const collector = await startLocalCollector({ handler, port: settings.port, host: settings.host }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new LocalSettingsError(
          `Port ${settings.port} is already in use: stop what uses it or set PORT to a free port (PORT=0 picks one)`,
        );
      },
    );
    return {
      collectorUrl: collector.url,
      kinesisEndpoint,
      startedEmulator: emulator !== undefined,
      stop: async () => {
        await collector.close();
        await emulator?.stop();
      },
    };
  } catch (error) {
    await emulator?.stop();
    throw error;
  }
}
