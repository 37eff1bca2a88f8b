import { createHash, timingSafeEqual } from 'node:crypto';
import { FORWARDED_HOST_HEADER, ORIGIN_SECRET_HEADER, PATH_PREFIX_HEADER } from '../contract/same-origin';

/** A request's headers, names in lower case (API Gateway payload 2.0). */
export type RequestHeaders = Readonly<Record<string, string | undefined>>;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether the request came through the site's distribution: its origin header holds `originSecret`
 * (compared in constant time, on digests of equal length). Never true without a configured secret.
 */
export function cameThroughDistribution(headers: RequestHeaders, originSecret: string | undefined): boolean {
  if (originSecret === undefined || originSecret === '') return false;
  const received = headers[ORIGIN_SECRET_HEADER];
  return received !== undefined && timingSafeEqual(digest(received), digest(originSecret));
}

/** Like `www.example.com`, or `www.example.com:8443`. */
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
const PREFIX_PATTERN = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * Where a browser reached the collector on the site (`www.example.com/collect`), from the headers
 * the distribution's function adds (the viewer's `Host` and the path prefix it removed); `undefined`
 * when they are missing or malformed. Only meaningful when {@link cameThroughDistribution}.
 */
export function siteEndpointOf(headers: RequestHeaders): string | undefined {
  const host = siteHostOf(headers);
  const prefix = headers[PATH_PREFIX_HEADER]?.trim();
  if (host === undefined || prefix === undefined || !PREFIX_PATTERN.test(prefix)) return undefined;
  return `${host}${prefix}`;
}

/**
 * The site's host the browser reached (`www.example.com`, lower case, with a port if it had one), from
 * the viewer `Host` the distribution's function forwards; `undefined` when missing or malformed. Only
 * meaningful when {@link cameThroughDistribution}.
 */
export function siteHostOf(headers: RequestHeaders): string | undefined {
  const host = headers[FORWARDED_HOST_HEADER]?.trim();
  return host !== undefined && HOST_PATTERN.test(host) ? host.toLowerCase() : undefined;
}
