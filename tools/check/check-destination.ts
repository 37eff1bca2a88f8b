import { randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { RuntimeDestination } from '../../lambda/config/runtime-config';

/** Access keys, as the SDK takes them. */
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

import { roleSessionName } from '../../lambda/contract/iam-identifiers';
import {
  type DeliveryProblem,
  explainDeliveryError,
  maskExternalId,
} from '../../lambda/delivery/delivery-diagnostics';
import { ASSUMED_ROLE_SESSION_SECONDS, createKinesisClient } from '../../lambda/delivery/kinesis-client';

/** The partition key of test records, so consumers can recognise and drop them. */
export const CHECK_PARTITION_KEY = 'kinesis-event-forwarder-check';

/** One step of the check: what was tried, and how it went. */
export interface CheckStep {
  readonly name: 'credentials' | 'put-record';
  readonly description: string;
  readonly ok: boolean;
  /** What the step found (role session, shard and sequence number). */
  readonly detail?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** What the error means for this destination, and what to change (every failed step has both). */
  readonly meaning?: string;
  readonly fix?: string;
}

export interface CheckReport {
  readonly ok: boolean;
  readonly steps: readonly CheckStep[];
  /** The test record's `event_id`, when it was written. */
  readonly eventId?: string;
}

export interface CheckOptions {
  /** Credentials that sign AssumeRole (tests, local STS). @default the SDK's default chain */
  readonly callerCredentials?: Credentials;
}

/** Errors of the check itself (its own credentials), not of a destination's configuration. */
const CHECK_CATALOGUE: Readonly<Record<string, (destination: RuntimeDestination) => DeliveryProblem>> = {
  CredentialsProviderError: (d) => ({
    meaning: `no AWS credentials were found to sign the ${d.roleArn === undefined ? 'PutRecord' : 'AssumeRole'} call with`,
    fix: "run with AWS credentials of the collector's account (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); against local mode (loopback --endpoint and --sts-endpoint) none are needed: paste the line npm start prints",
  }),
};

/**
 * What a failure no catalogue explains means at this step: the service could not be reached or
 * answered something unexpected, so the fix is on the path to it rather than in IAM.
 */
function unexplained(
  step: CheckStep['name'],
  errorCode: string,
  destination: RuntimeDestination,
): DeliveryProblem {
  if (step === 'credentials') {
    const sts = destination.stsEndpoint ?? `the regional STS endpoint of ${destination.region}`;
    return {
      meaning: `the AssumeRole call to ${sts} did not get an answer STS gives to a refusal (${errorCode})`,
      fix: `check that ${sts} is reachable from here${destination.stsEndpoint === undefined ? '' : ' (for local mode: that npm start still runs and printed this STS endpoint)'}, then run the check again`,
    };
  }
  const kinesis = destination.endpoint ?? `Kinesis in ${destination.region}`;
  return {
    meaning: `${kinesis} did not take the test record (${errorCode}); throttling and network errors pass on their own`,
    fix: `check that ${kinesis} is reachable from here${destination.endpoint === undefined ? '' : ' (for local mode: that npm start still runs, and that POST /_local/faults has not taken Kinesis down)'}, then run the check again`,
  };
}

function failed(
  step: Pick<CheckStep, 'name' | 'description'>,
  error: unknown,
  destination: RuntimeDestination,
): CheckStep {
  const errorCode = (error as { name?: string }).name ?? 'UnknownError';
  const problem =
    CHECK_CATALOGUE[errorCode]?.(destination) ??
    explainDeliveryError(errorCode, destination) ??
    unexplained(step.name, errorCode, destination);
  return {
    ...step,
    ok: false,
    errorCode,
    errorMessage: error instanceof Error ? error.message : String(error),
    meaning: problem.meaning,
    fix: problem.fix,
  };
}

/**
 * The "test connection" of a destination: gets its credentials the way the collector does
 * (AssumeRole with the external ID, static keys, or the default chain), then puts one clearly
 * marked test record (`type: "check"`, partition key {@link CHECK_PARTITION_KEY}). Stops at the
 * first step that fails and says what it means and what to change.
 */
export async function checkDestination(
  destination: RuntimeDestination,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const steps: CheckStep[] = [];
  let credentials: Credentials | undefined = destination.credentials;
  if (destination.roleArn !== undefined) {
    const step = {
      name: 'credentials' as const,
      description: `assume ${destination.roleArn}${destination.externalId === undefined ? '' : ` with external ID ${maskExternalId(destination.externalId)}`}`,
    };
    const sts = new STSClient({
      region: destination.region,
      maxAttempts: 1,
      ...(destination.stsEndpoint === undefined ? {} : { endpoint: destination.stsEndpoint }),
      ...(options.callerCredentials === undefined ? {} : { credentials: options.callerCredentials }),
    });
    try {
      const { Credentials: issued, AssumedRoleUser } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: destination.roleArn,
          RoleSessionName: roleSessionName(destination.id),
          DurationSeconds: ASSUMED_ROLE_SESSION_SECONDS,
          ...(destination.externalId === undefined ? {} : { ExternalId: destination.externalId }),
        }),
      );
      credentials = {
        accessKeyId: issued?.AccessKeyId as string,
        secretAccessKey: issued?.SecretAccessKey as string,
        sessionToken: issued?.SessionToken,
      };
      steps.push({
        ...step,
        ok: true,
        detail: `session ${AssumedRoleUser?.Arn ?? '?'}, expires ${issued?.Expiration?.toISOString() ?? '?'}`,
      });
    } catch (error) {
      steps.push(failed(step, error, destination));
      return { ok: false, steps };
    } finally {
      sts.destroy();
    }
  }
  const eventId = `check-${randomUUID()}`;
  const step = {
    name: 'put-record' as const,
    description: `put one test record into stream "${destination.streamName}" in ${destination.region}`,
  };
  const kinesis = createKinesisClient({ ...destination, roleArn: undefined, credentials });
  try {
    const data = JSON.stringify({
      event_id: eventId,
      type: 'check',
      event: 'kinesis-event-forwarder connection check',
      integration_id: destination.id,
      received_at: new Date().toISOString(),
    });
    const result = await kinesis.send(
      new PutRecordCommand({
        StreamName: destination.streamName,
        PartitionKey: CHECK_PARTITION_KEY,
        Data: Buffer.from(data),
      }),
    );
    steps.push({
      ...step,
      ok: true,
      detail: `shard ${result.ShardId}, sequence number ${result.SequenceNumber}`,
    });
    return { ok: true, steps, eventId };
  } catch (error) {
    steps.push(failed(step, error, destination));
    return { ok: false, steps };
  } finally {
    kinesis.destroy();
  }
}
