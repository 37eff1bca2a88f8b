/** How the collector answered one request of the command. */
export interface CollectorAnswer {
  readonly status: number;
  /** The JSON body (`{ accepted, rejected }` or `{ error, ... }`), or its text when not JSON. */
  readonly body: { accepted?: number; rejected?: { reason?: string }[]; error?: string } | string;
}

/** `Authorization: Basic base64(writeKey + ":")`, as analytics-node sends a write key. */
export const basicAuthorization = (writeKey: string): string =>
  `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/** The collector's `/v1/batch` under the `CollectorUrl` output (which may end with a slash or a stage). */
export const batchUrlOf = (collectorUrl: string): string => `${collectorUrl.replace(/\/+$/, '')}/v1/batch`;

/**
 * Sends one event to the collector as analytics-node does (`POST /v1/batch`, Basic auth with the
 * write key), and returns its answer. Rejects only when no answer came (network, timeout).
 */
export async function sendToCollector(
  collectorUrl: string,
  writeKey: string,
  event: Record<string, unknown>,
  timeoutMs = 15_000,
): Promise<CollectorAnswer> {
  const response = await fetch(batchUrlOf(collectorUrl), {
    method: 'POST',
    headers: {
      authorization: basicAuthorization(writeKey),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ batch: [event], sentAt: new Date().toISOString() }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}
