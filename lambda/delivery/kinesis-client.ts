import { KinesisClient } from '@aws-sdk/client-kinesis';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DestinationConfig } from '../config/runtime-config';

/** `RoleSessionName` for a destination: visible in the customer's CloudTrail, 2-64 chars of [\w+=,.@-]. */
export function roleSessionName(destinationId: string): string {
  return `kinesis-event-forwarder-${destinationId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * How the destination's client gets credentials: static keys when configured; temporary
 * credentials from `sts:AssumeRole` with the external ID when a writer role is configured (the
 * SDK caches them and refreshes them before they expire: one AssumeRole per credential lifetime
 * per container, never one per request); otherwise the function's own role.
 */
function credentialsFor(destination: DestinationConfig) {
  if (destination.credentials !== undefined) return { credentials: { ...destination.credentials } };
  if (destination.roleArn === undefined) return {};
  return {
    credentials: fromTemporaryCredentials({
      params: {
        RoleArn: destination.roleArn,
        RoleSessionName: roleSessionName(destination.id),
        DurationSeconds: 3600,
        ...(destination.externalId === undefined ? {} : { ExternalId: destination.externalId }),
      },
      clientConfig: { region: destination.region },
    }),
  };
}

/**
 * The Kinesis client of one destination, built once per container. The SDK's own retries are off
 * (`maxAttempts: 1`): the record writer retries within the request's time budget instead, so a
 * slow stream cannot push the answer past the Lambda or API Gateway timeout.
 * Emulator endpoints (plain `http://`) get an HTTP/1.1 handler: the default HTTP/2 one fails there.
 */
export function createKinesisClient(destination: DestinationConfig): KinesisClient {
  return new KinesisClient({
    region: destination.region,
    maxAttempts: 1,
    ...(destination.endpoint === undefined ? {} : { endpoint: destination.endpoint }),
    ...(destination.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
    ...credentialsFor(destination),
  });
}
