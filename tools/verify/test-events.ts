import { randomUUID } from 'node:crypto';

/**
 * The context every event the command sends carries, so consumers can recognise and drop them:
 * `context.kinesis_event_forwarder.test: true` (docs/deploying.md, "Verify a deployment").
 */
export const TEST_EVENT_CONTEXT = { kinesis_event_forwarder: { test: true } } as const;

/** The anonymous id (and so the partition key) of the command's events. */
export const TEST_ANONYMOUS_ID = 'kinesis-event-forwarder-verify';

/** The name of the valid test event. */
export const TEST_EVENT_NAME = 'kinesis-event-forwarder deployment verified';

/** A valid track event, marked as a test: it must land in the event stream. */
export function validTestEvent(now: Date): Record<string, unknown> {
  return {
    type: 'track',
    messageId: `verify-${randomUUID()}`,
    anonymousId: TEST_ANONYMOUS_ID,
    event: TEST_EVENT_NAME,
    timestamp: now.toISOString(),
    context: TEST_EVENT_CONTEXT,
  };
}

/**
 * A track event without its `event` name, marked as a test: the collector refuses it
 * (`missing_field`) and keeps it in the failed-events stream.
 */
export function invalidTestEvent(now: Date): Record<string, unknown> {
  return {
    type: 'track',
    messageId: `verify-invalid-${randomUUID()}`,
    anonymousId: TEST_ANONYMOUS_ID,
    timestamp: now.toISOString(),
    context: TEST_EVENT_CONTEXT,
  };
}

/** Whether a record's JSON (an envelope, or a failure record's payload) carries the test mark. */
export function isMarkedTest(context: unknown): boolean {
  const mark = (context as { kinesis_event_forwarder?: { test?: unknown } } | null | undefined)
    ?.kinesis_event_forwarder;
  return mark?.test === true;
}
