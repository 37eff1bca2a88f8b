import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Bytes a generated event takes as compact JSON: the "~1 KB" event of the benchmark, sized so a
 * 500-event `/v1/batch` body (~500.6 KB) fits the default 500 KiB `maxRequestBytes`.
 */
export const EVENT_BYTES = 1000;

/**
 * A realistic analytics.js `track` event of exactly {@link EVENT_BYTES} bytes of JSON: browser
 * context, a handful of properties, and padding in one property to reach the size. Each has a
 * fresh `messageId` (it becomes `event_id`, which the verification counts) and one of 1,000 users,
 * so records spread over shards the way `partitionKey: user` spreads them.
 */
export function trackEvent(sequence: number, runId: string): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'track',
    event: 'Product Viewed',
    messageId: `${runId}-${sequence}-${randomUUID()}`,
    userId: `user-${sequence % 1000}`,
    anonymousId: randomUUID(),
    timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, sequence % 1000)).toISOString(),
    context: {
      library: { name: 'analytics.js', version: 'next-1.84.3' },
      page: {
        path: '/products/42',
        referrer: 'https://www.example.com/search?q=shoes',
        search: '',
        title: 'Trail running shoe',
        url: 'https://shop.example.com/products/42',
      },
      userAgent:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      locale: 'en-GB',
    },
    properties: { product_id: 'sku-42', category: 'shoes', price: 129.9, currency: 'EUR', padding: '' },
  };
  const missing = EVENT_BYTES - Buffer.byteLength(JSON.stringify(event));
  (event.properties as Record<string, unknown>).padding = 'x'.repeat(Math.max(0, missing));
  return event;
}

/** `count` events of one run, numbered from `first`. */
export function trackEvents(count: number, runId: string, first = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => trackEvent(first + index, runId));
}

/** A `/v1/batch` body as analytics-node and analytics-next (batching mode) send it. */
export function batchBody(events: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ batch: events, sentAt: new Date().toISOString() });
}

/** The HTTP API (payload 2.0) event of a `/v1/batch` request with `body`, as API Gateway sends it. */
export function batchApiEvent(body: string, requestId: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/batch',
    rawQueryString: '',
    headers: {
      authorization: `Basic ${Buffer.from('bench-write-key:').toString('base64')}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/v1/batch',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: '02/Jan/2026:03:04:05 +0000',
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}
