import { KinesisClient } from '@aws-sdk/client-kinesis';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RuntimeDestination } from '../config/runtime-config';
import { roleSessionName } from '../contract/iam-identifiers';

export interface KinesisClientOptions {
  /**
   * The credentials that call `sts:AssumeRole` for destinations with a `roleArn`.
   * @default the function's own (the SDK's default credential chain)
   */
  readonly callerCredentials?: Parameters<typeof fromTemporaryCredentials>[0]['masterCredentials'];
  /** Told each time the client asks STS for new credentials (`AssumeRoleCalls` metric). */
  readonly onAssumeRole?: (destinationId: string) => void;
}

/** The assumed-role session's lifetime asked of STS; the writer role allows at most one hour. */
export const ASSUMED_ROLE_SESSION_SECONDS = 3600;

/**
 * How the destination's client gets credentials: static keys when configured; temporary
 * credentials from `sts:AssumeRole` with the external ID when a writer role is configured (the
 * client memoizes them and asks again only within five minutes of their expiry, with concurrent
 * callers sharing one pending call: one AssumeRole per credential lifetime per container, never
 * one per request); otherwise the function's own role.
 */
function credentialsFor(destination: RuntimeDestination, options: KinesisClientOptions) {
  if (destination.credentials !== undefined) return { credentials: { ...destination.credentials } };
  if (destination.roleArn === undefined) return {};
  const assumeRole = fromTemporaryCredentials({
    params: {
      RoleArn: destination.roleArn,
      RoleSessionName: roleSessionName(destination.id),
      DurationSeconds: ASSUMED_ROLE_SESSION_SECONDS,
      ...(destination.externalId === undefined ? {} : { ExternalId: destination.externalId }),
    },
    ...(options.callerCredentials === undefined ? {} : { masterCredentials: options.callerCredentials }),
    clientConfig: {
      region: destination.region,
      ...(destination.stsEndpoint === undefined ? {} : { endpoint: destination.stsEndpoint }),
    },
  });
  const { onAssumeRole } = options;
  if (onAssumeRole === undefined) return { credentials: assumeRole };
  return {
    credentials: (...args: Parameters<typeof assumeRole>) => {
      onAssumeRole(destination.id);
      return assumeRole(...args);
    },
  };
}

/**
 * The Kinesis client of one destination, built once per container. The SDK's own retries are off
 * (`maxAttempts: 1`): the record writer retries within the request's time budget instead, so a
 * slow stream cannot push the answer past the Lambda or API Gateway timeout.
 * Emulator endpoints (plain `http://`) get an HTTP/1.1 handler: the default HTTP/2 one fails there.
 */
export function createKinesisClient(
  destination: RuntimeDestination,
  options: KinesisClientOptions = {},
): KinesisClient {
  return new KinesisClient({
    region: destination.region,
    maxAttempts: 1,
    ...(destination.endpoint === undefined ? {} : { endpoint: destination.endpoint }),
    ...(destination.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
    ...credentialsFor(destination, options),
  });
}
