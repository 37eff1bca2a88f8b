import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RuntimeSource } from '../config/runtime-config';
import { cookieDomainCovers } from '../contract/cookie-domain';
import { type OriginAllowlist, originOf } from './cors';

/** A source's `identityCookie` settings, defaults filled in. */
export type IdentityCookieSettings = NonNullable<RuntimeSource['identityCookie']>;

/** Longest anonymous id the collector puts in a cookie (analytics.js ids are 36-character UUIDs). */
export const MAX_COOKIE_ID_LENGTH = 200;

const SECONDS_PER_DAY = 86_400;

/** A host name, lowercase, without its port or a trailing dot. */
const bareHost = (host: string): string => host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');

/** The host a request was sent to (the custom domain, or the `execute-api` host), bare. */
export function requestHostOf(event: APIGatewayProxyEventV2): string {
  return bareHost(event.requestContext.domainName || event.headers?.host || '');
}

/**
 * The `Set-Cookie` value carrying `anonymousId` as analytics.js reads it: the JSON string,
 * percent-encoded as js-cookie writes it (`%22<id>%22`; analytics-next reads this and the raw id
 * alike). `Secure; SameSite=Lax`, and not `HttpOnly`, so analytics.js keeps reading it.
 */
export function identityCookieHeader(settings: IdentityCookieSettings, anonymousId: string): string {
  return [
    `${settings.name}=${encodeURIComponent(JSON.stringify(anonymousId))}`,
    `Domain=${settings.domain}`,
    'Path=/',
    `Max-Age=${settings.maxAgeDays * SECONDS_PER_DAY}`,
    'Secure',
    'SameSite=Lax',
  ].join('; ');
}

/** The anonymous id of a request's last event that has one usable in a cookie. */
export function anonymousIdOf(messages: readonly unknown[]): string | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (typeof message !== 'object' || message === null) continue;
    const id = (message as { readonly anonymousId?: unknown }).anonymousId;
    if (typeof id === 'string' && id !== '' && id.length <= MAX_COOKIE_ID_LENGTH) return id;
  }
  return undefined;
}

/**
 * The identity cookie an answer to this request sets, if any: the source opted in, the request
 * comes from a browser page on one of the source's allowed origins (`Origin`), it was sent to a host
 * under the cookie's domain, and one of its events has an anonymous id.
 */
export function identityCookieFor(request: {
  readonly source: RuntimeSource;
  readonly event: APIGatewayProxyEventV2;
  readonly allowlist: OriginAllowlist;
  readonly messages: readonly unknown[];
  /**
   * The site's host the browser reached, when the request came through the site's own CloudFront
   * path (known only from headers the distribution sets and vouches for): API Gateway then sees its
   * own host, not the one the cookie is for.
   * @default - the host the request was sent to
   */
  readonly siteHost?: string;
}): string | undefined {
  const settings = request.source.identityCookie;
  if (settings === undefined) return undefined;
  const origin = originOf(request.event);
  if (origin === undefined || request.allowlist.any || !request.allowlist.allows(origin)) return undefined;
  const host = request.siteHost === undefined ? requestHostOf(request.event) : bareHost(request.siteHost);
  if (!cookieDomainCovers(settings.domain, host)) return undefined;
  const anonymousId = anonymousIdOf(request.messages);
  return anonymousId === undefined ? undefined : identityCookieHeader(settings, anonymousId);
}
