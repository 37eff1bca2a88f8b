import type { Receipt } from './envelope';
import type { JsonObject, SegmentEvent } from './segment-event';
import { correctedTimestamp, parseIsoTimestamp } from './timestamps';

/**
 * The `segment` record format, for consumers that expect Segment's own message shape: the message
 * as received (without its `writeKey`), with the fields Segment adds on its side: `messageId`
 * (always set), `receivedAt`, a clock-skew corrected `timestamp`, the client's `originalTimestamp`,
 * `sentAt`, the batch's `context` merged under the message's, and `context.ip`.
 */
export function toSegmentRecord(
  message: JsonObject,
  event: SegmentEvent,
  receipt: Receipt,
  eventId: string,
): JsonObject {
  const { writeKey: _writeKey, ...rest } = message;
  const timestamp =
    event.timestampMs ?? (event.timestamp === undefined ? undefined : parseIsoTimestamp(event.timestamp));
  const sentAt = event.sentAtMs ?? (event.sentAt === undefined ? undefined : parseIsoTimestamp(event.sentAt));
  const context = event.context ?? {};
  const ip = context.ip;
  return {
    ...rest,
    type: event.type,
    messageId: eventId,
    timestamp: new Date(correctedTimestamp(receipt.receivedAt, timestamp, sentAt)).toISOString(),
    ...(event.timestamp === undefined ? {} : { originalTimestamp: event.timestamp }),
    ...(sentAt === undefined ? {} : { sentAt: new Date(sentAt).toISOString() }),
    receivedAt: new Date(receipt.receivedAt).toISOString(),
    context:
      (ip === undefined || ip === null || ip === '') && receipt.sourceIp
        ? { ...context, ip: receipt.sourceIp }
        : context,
  };
}
