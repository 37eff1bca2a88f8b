import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { roleSessionName } from '../lambda/contract/iam-identifiers';

/**
 * The benchmark's SDK floor (section 9): a handler that makes only the AWS calls of the collector's
 * first request -- GetSecretValue of `WRITE_KEYS_SECRET_ARN`, AssumeRole of the first destination's
 * writer role (with its external ID and the session name its trust policy asks for) and one PutRecords of the request's events -- with the same SDK
 * clients and bundle settings, and nothing else: no validation, envelope, logging or metrics. What
 * the collector's cold start costs beyond this is its own.
 */
interface Destination {
  readonly id: string;
  readonly streamName: string;
  readonly region: string;
  readonly roleArn: string;
  readonly externalId?: string;
}

const [destination] = (JSON.parse(process.env.COLLECTOR_CONFIG ?? '{}') as { destinations: Destination[] })
  .destinations;
if (destination === undefined) throw new Error('COLLECTOR_CONFIG names no destination');
const secrets = new SecretsManagerClient({});
const kinesis = new KinesisClient({
  region: destination.region,
  maxAttempts: 1,
  credentials: fromTemporaryCredentials({
    params: {
      RoleArn: destination.roleArn,
      // The session name the writer role's trust policy asks for (lambda/contract/iam-identifiers.ts).
      RoleSessionName: roleSessionName(destination.id),
      DurationSeconds: 3600,
      ...(destination.externalId === undefined ? {} : { ExternalId: destination.externalId }),
    },
    clientConfig: { region: destination.region },
  }),
});

export const handler = async (event: { body: string }) => {
  await secrets.send(new GetSecretValueCommand({ SecretId: process.env.WRITE_KEYS_SECRET_ARN }));
  const { batch } = JSON.parse(event.body) as { batch: { userId?: string; anonymousId?: string }[] };
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: destination.streamName,
      Records: batch.map((entry) => ({
        Data: Buffer.from(JSON.stringify(entry)),
        PartitionKey: entry.userId ?? entry.anonymousId ?? 'anonymous',
      })),
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ accepted: batch.length, rejected: [] }) };
};
