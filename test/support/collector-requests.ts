/**
 * What the end-to-end tests of a running collector send: the Basic authorization header an SDK sends
 * for a write key, a batch of track events with known message ids, and a `/v1/batch` request.
 */

/** `Authorization` as Segment's SDKs send it: the write key as user name, no password. */
export const basicAuth = (writeKey: string): string =>
  `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/** A track event of a batch, with the message id the tests find it by in the stream. */
export interface TrackEvent {
  readonly type: 'track';
  readonly event: string;
  readonly userId: string;
  readonly messageId: string;
}

/**
 * `count` track events with message ids `<prefix>-0` ... `<prefix>-<count - 1>`, spread over `users`
 * users (so over several partition keys).
 */
export function trackBatch(prefix: string, count: number, users = 5): TrackEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'track',
    event: 'Order Completed',
    userId: `user-${index % users}`,
    messageId: `${prefix}-${index}`,
  }));
}

/** The collector's answer: status, headers and JSON body. */
export interface BatchAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** POSTs `{ batch }` to `<url>/v1/batch` with the write key, as analytics-node does. */
export async function sendBatch(
  url: string,
  writeKey: string,
  batch: readonly unknown[],
): Promise<BatchAnswer> {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
