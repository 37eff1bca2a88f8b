/** The operations runbook every alarm description points to (a section per alarm). */
export const RUNBOOK = 'docs/operations.md';

/** The runbook section of each alarm: `docs/operations.md#<anchor>` (headings there match). */
export const RUNBOOK_ANCHORS = {
  streamWriteThrottles: 'alarm-stream-write-throttles',
  iteratorAge: 'alarm-stream-iterator-age',
  throttledRecords: 'alarm-collector-throttled-records',
  deliveryErrors: 'alarm-delivery-errors',
  eventsUndelivered: 'alarm-events-undelivered',
  spillQueue: 'alarm-spill-queue-not-empty',
  spillDeadLetters: 'alarm-spill-dead-letter-queue-not-empty',
  lambdaErrors: 'alarm-lambda-errors',
  lambdaThrottles: 'alarm-lambda-throttles',
  api5xx: 'alarm-api-5xx',
  failedRate: 'alarm-failed-events-rate',
  dedupFailOpen: 'alarm-dedup-fail-open',
  suppressionUnavailable: 'alarm-suppression-unavailable',
  pixelEventsLost: 'alarm-pixel-events-lost',
  archiveFreshness: 'alarm-archive-freshness',
  archiveDeliveryFailures: 'alarm-archive-delivery-failures',
} as const;

export type RunbookAnchor = (typeof RUNBOOK_ANCHORS)[keyof typeof RUNBOOK_ANCHORS];

/**
 * An alarm description: what the alarm means, then where the runbook says what to do. CloudWatch
 * shows it in the console and in every notification.
 */
export function alarmDescription(meaning: string, anchor: RunbookAnchor): string {
  return `${meaning} Runbook: ${RUNBOOK}#${anchor}`;
}
