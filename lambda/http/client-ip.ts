import { isIP } from 'node:net';
import { VIEWER_ADDRESS_HEADER } from '../contract/same-origin';
import { cameThroughDistribution } from './same-origin-request';

/** What decides the client's address of one request. */
export interface ClientIpInput {
  /** The request's headers, names in lower case (API Gateway payload 2.0). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The address API Gateway saw: behind CloudFront, the edge's, not the viewer's. */
  readonly sourceIp?: string;
  /**
   * The value the distribution's origin header carries (env `SAME_ORIGIN_SECRET`).
   * @default - none: `CloudFront-Viewer-Address` is never trusted
   */
  readonly originSecret?: string;
}

/** The address of `CloudFront-Viewer-Address` (`<ip>:<port>`, IPv6 without brackets), if it is one. */
export function viewerAddressIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const ip = value.slice(0, colon).trim();
  return isIP(ip) === 0 ? undefined : ip;
}

/**
 * The client's address: the viewer's from `CloudFront-Viewer-Address` when the request came through
 * the same-origin distribution (its secret origin header present and right), otherwise the source
 * address API Gateway saw. A viewer cannot forge it: without the secret the header is ignored, and
 * trusting an edge's address instead would corrupt geo lookups and IP truncation.
 */
export function clientIpOf(input: ClientIpInput): string | undefined {
  const sourceIp = input.sourceIp || undefined;
  if (!cameThroughDistribution(input.headers, input.originSecret)) return sourceIp;
  return viewerAddressIp(input.headers[VIEWER_ADDRESS_HEADER]) ?? sourceIp;
}
