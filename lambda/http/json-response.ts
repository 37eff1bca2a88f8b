import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * A JSON response (`Content-Type: application/json`), the shape of every response the collector
 * builds: headers given here are added to it.
 */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
