import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|javascript|x-www-form-urlencoded))/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** HTTP API's access-log time format: `21/Nov/2026:23:15:24 +0000`. */
function requestTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
}

function isTextBody(headers: IncomingMessage['headers'], body: Buffer): boolean {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  if (!TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '')) return false;
  try {
    utf8.decode(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * The HTTP API payload 2.0 event API Gateway would build from this request: lower-case headers
 * with repeated values joined by commas (and `x-forwarded-proto: http`), cookies apart, query parameters, the caller's IP, and the
 * body as text for textual content types, base64 otherwise (compressed or binary bodies).
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // API Gateway tells the function the scheme the client used; this stand-in serves plain HTTP.
  headers['x-forwarded-proto'] = 'http';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const method = (request.method ?? 'GET').toUpperCase();
  const text = isTextBody(request.headers, body);
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}
