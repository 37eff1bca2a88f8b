import { errorCodeOf, failedCall, isAccessDenied } from './aws-error';
import { type CollectorAnswer, sendToCollector } from './collector-request';
import type { Deployment } from './step-outputs';
import { answerProblem, type WriteKeyResult } from './step-test-event';
import { READ_SLACK_MS, readDenied, type StreamAccess, streamMissing } from './stream-access';
import { findInStream } from './stream-search';
import { invalidTestEvent } from './test-events';
import { found, notChecked, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';

/**
 * Why the refused test event cannot push the failed-rate alarm into ALARM: it alarms only when its
 * threshold is exceeded in each of 3 consecutive 5-minute periods (lib/constructs/collector-alarms.ts),
 * and one run of the command is one event in one period.
 */
export const FAILED_RATE_ALARM_NOTE =
  'one refused event is at most one breaching 5-minute period; the failed-rate alarm needs 3 in a row (3 of 3 datapoints), so one run never sets it off';

/**
 * Step 3: an invalid (marked) event is refused with its reason, and the failed-events stream takes
 * it: a failure record with its `event_id` is there.
 */
export async function verifyFailedEvent(
  deployment: Deployment,
  key: WriteKeyResult,
  streams: StreamAccess,
  now: () => Date = () => new Date(),
): Promise<VerifyStep> {
  const description = VERIFY_STEP_DESCRIPTIONS['failed-event'];
  const { failedStreamName } = deployment;
  if (failedStreamName === undefined) {
    return notChecked(
      'failed-event',
      description,
      'no failed-events stream is named (stream stack deployed with failedEventsStream=false, or cross-account: give --failed-stream)',
    );
  }
  if ('problem' in key)
    return notChecked('failed-event', description, 'no write key to send it with (see the step above)');
  const event = invalidTestEvent(now());
  const since = new Date(now().getTime() - READ_SLACK_MS);
  let answer: CollectorAnswer;
  try {
    answer = await sendToCollector(deployment.collectorUrl, key.writeKey, event);
  } catch (error) {
    return failedCall('failed-event', description, error, `POST ${deployment.collectorUrl}`, {
      meaning: 'no answer came from the CollectorUrl output: the API is not reachable from here',
      fix: 'check the URL and the network path, then run the command again',
    });
  }
  const reason = typeof answer.body === 'string' ? undefined : answer.body.rejected?.[0]?.reason;
  if (answer.status !== 400 || reason === undefined) {
    const problem = answerProblem(answer, key.sourceId);
    return found('failed-event', description, `HTTP${answer.status}`, problem.errorMessage, problem);
  }
  const refused = `refused (400: ${reason}), event_id ${event.messageId}`;
  try {
    const record = await findInStream({
      client: streams.clientFor(failedStreamName),
      streamName: failedStreamName,
      since,
      timestampOnClient: streams.timestampOnClient,
      eventId: event.messageId as string,
    });
    if (record === undefined || record.kind !== 'failure') {
      return found(
        'failed-event',
        description,
        'NotInFailedStream',
        `${refused}, but stream "${failedStreamName}" has no failure record with that event_id`,
        {
          meaning:
            'the collector does not keep refused events in this stream: its destination names another failed-events stream, or none',
          fix: 'deploy the collector with -c failedStreamName of this stream (cross-account), or deploy both stacks again together (same account)',
        },
      );
    }
    return passed(
      'failed-event',
      description,
      `${refused}; in stream "${failedStreamName}" with code ${record.record.failure.code}; ${FAILED_RATE_ALARM_NOTE}`,
    );
  } catch (error) {
    if (isAccessDenied(error)) {
      return notChecked(
        'failed-event',
        description,
        `${refused}; ${readDenied(failedStreamName, streams.how)}`,
      );
    }
    if (errorCodeOf(error) === 'ResourceNotFoundException') {
      return failedCall(
        'failed-event',
        description,
        error,
        'kinesis:ListShards',
        streamMissing(failedStreamName, 'FailedStreamName'),
      );
    }
    return failedCall('failed-event', description, error, `reading stream "${failedStreamName}"`);
  }
}
