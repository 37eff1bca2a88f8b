import type { AwsConnection } from './aws-connection';
import { errorCodeOf, failedCall, isAccessDenied } from './aws-error';
import { type CollectorAnswer, sendToCollector } from './collector-request';
import type { Deployment } from './step-outputs';
import { READ_SLACK_MS, readDenied, type StreamAccess, streamMissing } from './stream-access';
import { findInStream } from './stream-search';
import { isMarkedTest, validTestEvent } from './test-events';
import { found, notChecked, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';
import { readWriteKeySecret, WriteKeySecretFormatError, writeKeyOf } from './write-key-secret';

/** The write key the test events are sent with, or the step that says why there is none. */
export type WriteKeyResult =
  | { readonly sourceId: string; readonly writeKey: string }
  | { readonly problem: VerifyStep };

/**
 * The key the test events are sent with: the first key of `sourceId` (default: the first source)
 * in the write-key secret. A secret the command may not read makes step 2 (and 3) "not checked".
 */
export async function testWriteKey(
  deployment: Deployment,
  connection: AwsConnection,
  sourceId?: string,
): Promise<WriteKeyResult> {
  const description = VERIFY_STEP_DESCRIPTIONS['test-event'];
  const secret = deployment.writeKeysSecretArn;
  try {
    return writeKeyOf(await readWriteKeySecret(connection, secret), sourceId);
  } catch (error) {
    if (isAccessDenied(error)) {
      return {
        problem: notChecked(
          'test-event',
          description,
          `reading the write-key secret is denied; to check, run as a principal allowed secretsmanager:GetSecretValue on ${secret} (and kms:Decrypt on its key)`,
        ),
      };
    }
    if (error instanceof WriteKeySecretFormatError) {
      return {
        problem: found('test-event', description, error.name, error.message, {
          meaning: 'the collector cannot take any key from this secret for the source: its SDKs get 401',
          fix: `put {"<sourceId>": ["<key>"]} in the secret (docs/deploying.md, "Rotating a write key"); with several sources, name one with --source`,
        }),
      };
    }
    return { problem: failedCall('test-event', description, error, 'secretsmanager:GetSecretValue') };
  }
}

/** What a collector answer other than the expected one means. */
export function answerProblem(answer: CollectorAnswer, sourceId: string) {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  if (answer.status === 401) {
    return {
      errorMessage: `the collector answered 401: ${text}`,
      meaning: `the collector does not accept the key of source "${sourceId}" from the write-key secret`,
      fix: 'the collector re-reads the secret within 5 minutes: if the key was just changed, run the command again then; else check that the secret names the source the collector was deployed with (-c sourceId)',
    };
  }
  if (answer.status === 429 || answer.status >= 500) {
    return {
      errorMessage: `the collector answered ${answer.status}: ${text}`,
      meaning:
        'the collector could not write the event: its answer names the destination and error code (writer role, stream, spill store)',
      fix: 'look the error code up in docs/operations.md (Troubleshooting), test the destination with npm run check-destination, and run the command again',
    };
  }
  return {
    errorMessage: `the collector answered ${answer.status}: ${text}`,
    meaning: 'the collector at the CollectorUrl output did not answer as this version of the collector does',
    fix: "check that CollectorUrl reaches this stack's API (a custom domain pointing elsewhere?) and deploy the stacks again from this checkout",
  };
}

/**
 * Step 2: one marked test event sent through the collector URL with a key from the write-key
 * secret is accepted (200) and lands in the event stream (or reading it is "not checked").
 */
export async function verifyTestEvent(
  deployment: Deployment,
  key: WriteKeyResult,
  streams: StreamAccess,
  now: () => Date = () => new Date(),
): Promise<VerifyStep> {
  if ('problem' in key) return key.problem;
  const description = VERIFY_STEP_DESCRIPTIONS['test-event'];
  const event = validTestEvent(now());
  const since = new Date(now().getTime() - READ_SLACK_MS);
  let answer: CollectorAnswer;
  try {
    answer = await sendToCollector(deployment.collectorUrl, key.writeKey, event);
  } catch (error) {
    return failedCall('test-event', description, error, `POST ${deployment.collectorUrl}`, {
      meaning: 'no answer came from the CollectorUrl output: the API is not reachable from here',
      fix: 'check the URL (and, with a custom domain, its DNS record: the CustomDomainTarget output) and the network path, then run the command again',
    });
  }
  if (answer.status !== 200 || typeof answer.body === 'string' || answer.body.accepted !== 1) {
    const problem = answerProblem(answer, key.sourceId);
    return found('test-event', description, `HTTP${answer.status}`, problem.errorMessage, problem);
  }
  const sent = `${deployment.collectorUrl} accepted it (200) with source "${key.sourceId}"'s key, event_id ${event.messageId}`;
  const { streamName } = deployment;
  if (streamName === undefined) {
    return notChecked(
      'test-event',
      description,
      `${sent}; reading the stream not checked: no stream stack here names it (cross-account: give --stream and --role-arn of a role that may read it)`,
    );
  }
  try {
    const record = await findInStream({
      client: streams.clientFor(streamName),
      streamName,
      since,
      timestampOnClient: streams.timestampOnClient,
      eventId: event.messageId as string,
    });
    if (record === undefined || record.kind !== 'envelope') {
      return found(
        'test-event',
        description,
        'NotInStream',
        `${sent}, but stream "${streamName}" has no record with that event_id`,
        {
          meaning: 'the collector wrote the event somewhere else: its destination is not this stream',
          fix: 'deploy the collector with -c streamArn of this stream (cross-account), or deploy both stacks again together (same account)',
        },
      );
    }
    const mark = isMarkedTest(record.envelope.context) ? ', marked context.kinesis_event_forwarder.test' : '';
    return passed(
      'test-event',
      description,
      `${sent}; in stream "${streamName}" shard ${record.meta.shardId}${mark}`,
    );
  } catch (error) {
    if (isAccessDenied(error))
      return notChecked('test-event', description, `${sent}; ${readDenied(streamName, streams.how)}`);
    if (errorCodeOf(error) === 'ResourceNotFoundException') {
      return failedCall(
        'test-event',
        description,
        error,
        'kinesis:ListShards',
        streamMissing(streamName, 'StreamName'),
      );
    }
    return failedCall('test-event', description, error, `reading stream "${streamName}"`);
  }
}
