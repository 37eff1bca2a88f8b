import { KinesisClient } from '@aws-sdk/client-kinesis';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { StreamConnection } from './connection-flags';

/** Keys an emulator accepts; the SDK needs some to sign with. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** `RoleSessionName` of tail's assumed-role sessions, as it shows in the stream owner's CloudTrail. */
export const TAIL_ROLE_SESSION_NAME = 'kinesis-event-forwarder-tail';

function credentialsFor(connection: StreamConnection) {
  const profile = connection.profile === undefined ? undefined : fromIni({ profile: connection.profile });
  if (connection.roleArn !== undefined) {
    return fromTemporaryCredentials({
      params: {
        RoleArn: connection.roleArn,
        RoleSessionName: TAIL_ROLE_SESSION_NAME,
        ...(connection.externalId === undefined ? {} : { ExternalId: connection.externalId }),
      },
      ...(profile === undefined ? {} : { masterCredentials: profile }),
      ...(connection.region === undefined ? {} : { clientConfig: { region: connection.region } }),
    });
  }
  if (profile !== undefined) return profile;
  return connection.endpoint === undefined ? undefined : { ...EMULATOR_CREDENTIALS };
}

/**
 * What tail and replay-failed say when they have neither an endpoint nor an AWS region (the SDK's own
 * words are only `Region is missing`): both ways to go on.
 */
export const NO_REGION_MESSAGE =
  'no AWS region and no --endpoint: pass --endpoint http://127.0.0.1:4567 for local mode (npm start), or set AWS_REGION (or --region, or a --profile with a region) for AWS';

/**
 * Whether a client for AWS itself knows its region (`--region`, `AWS_REGION`, the profile's
 * region in `~/.aws/config`); a client for an `--endpoint` always does. Asked before the first call,
 * so a missing region is reported as {@link NO_REGION_MESSAGE} and not as the SDK's error.
 */
export async function knowsRegion(client: KinesisClient): Promise<boolean> {
  try {
    await client.config.region();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether reads of `connection` from a time (`AT_TIMESTAMP`) start at each shard's beginning and
 * drop older records on the client (`ShardReadOptions.timestampOnClient`): yes for a plain-http
 * endpoint, which is an emulator. kinesalite never answers GetShardIterator AT_TIMESTAMP on a shard
 * with no record after the timestamp, so a reader of such a shard would wait forever. What tail,
 * live and replay-failed all read with: one decision for every tool.
 */
export function readsTimestampOnClient(connection: Pick<StreamConnection, 'endpoint'>): boolean {
  return connection.endpoint?.startsWith('http://') === true;
}

/**
 * The Kinesis client tail reads with: real AWS through the default credential chain, a profile
 * (`fromIni`) or an assumed role (`fromTemporaryCredentials`, with the external ID); an emulator
 * endpoint over HTTP/1.1 (emulators do not speak the SDK's default HTTP/2) with dummy keys.
 */
export function createTailClient(connection: StreamConnection): KinesisClient {
  const credentials = credentialsFor(connection);
  return new KinesisClient({
    ...(connection.region === undefined ? {} : { region: connection.region }),
    ...(connection.profile === undefined ? {} : { profile: connection.profile }),
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.endpoint?.startsWith('http://') ? { requestHandler: new NodeHttpHandler() } : {}),
    ...(credentials === undefined ? {} : { credentials }),
  });
}
