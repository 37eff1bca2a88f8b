import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Prefetch, reuseOr } from '../cold-start/prefetch';
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
  /**
   * Starts the `AssumeRole` of a destination with a `roleArn` now (at cold start), for the client's
   * first send to take (see {@link Prefetch}); a failure is told here, and that send calls again.
   * @default - no prefetch: the first send asks STS
   */
  readonly prefetchCredentials?: { readonly onError: (destinationId: string, error: unknown) => void };
}

/** The assumed-role session's lifetime asked of STS; the writer role allows at most one hour. */
export const ASSUMED_ROLE_SESSION_SECONDS = 3600;

type AssumeRole = ReturnType<typeof fromTemporaryCredentials>;
type Credentials = Awaited<ReturnType<AssumeRole>>;

/**
 * How the destination's client gets credentials: static keys when configured; temporary
 * credentials from `sts:AssumeRole` with the external ID when a writer role is configured (the
 * client memoizes them and asks again only within five minutes of their expiry, with concurrent
 * callers sharing one pending call: one AssumeRole per credential lifetime per container, never
 * one per request); otherwise the function's own role. `prefetch`, given the client's config, starts
 * the first AssumeRole as the client itself would call it, for the client's first ask to take.
 */
function credentialsFor(
  destination: RuntimeDestination,
  options: KinesisClientOptions,
): { credentials?: KinesisClientConfig['credentials']; prefetch?: (clientConfig: unknown) => void } {
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
  const { onAssumeRole, prefetchCredentials } = options;
  const counted: AssumeRole = (properties) => {
    onAssumeRole?.(destination.id);
    return assumeRole(properties);
  };
  if (prefetchCredentials === undefined) return { credentials: counted };
  // The SDK wraps this provider in its cache, which calls it again only when the credentials near
  // expiry or its last call failed: the prefetch serves its first call at most.
  let prefetched: Prefetch<Credentials> | undefined;
  return {
    credentials: (properties) => {
      const early = prefetched?.usable();
      prefetched = undefined;
      return reuseOr(early, () => counted(properties));
    },
    prefetch: (clientConfig) => {
      prefetched = new Prefetch(
        // What the SDK passes its provider: the calling client's config (STS client region, handler).
        () => counted({ callerClientConfig: clientConfig } as Parameters<AssumeRole>[0]),
        (error) => prefetchCredentials.onError(destination.id, error),
      );
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
  const { prefetch, ...credentials } = credentialsFor(destination, options);
  const client = new KinesisClient({
    region: destination.region,
    maxAttempts: 1,
    ...(destination.endpoint === undefined ? {} : { endpoint: destination.endpoint }),
    ...(destination.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
    ...credentials,
  });
  prefetch?.(client.config);
  return client;
}
