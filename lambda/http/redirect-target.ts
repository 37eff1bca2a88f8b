import { HttpError } from './http-error';

/**
 * 400: a redirect the collector will not make (redirects off, no target, or a target that is not an
 * https URL on an allowed host). Answered without a `Location`, so nothing redirects.
 */
export class RedirectRefusedError extends HttpError {
  override readonly name = 'RedirectRefusedError';
  constructor(reason: string) {
    super(400, `Redirect refused: ${reason}`);
  }
}

/** An IPv4 literal as WHATWG URL parsing leaves it (it normalises `0x7f.1`, `2130706433`, ...). */
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The URL a link-click redirect may send the browser to, parsed with WHATWG URL rules (what a browser
 * does with the `Location`): https only, the default port, no user info, no IP literal, and a host
 * that is exactly one of `allowedHosts` (no subdomains, no suffix matches). Anything else throws
 * {@link RedirectRefusedError}, so the collector is never an open redirect.
 */
export function redirectTarget(raw: string | undefined, allowedHosts: readonly string[] | undefined): URL {
  if (allowedHosts === undefined || allowedHosts.length === 0) {
    throw new RedirectRefusedError(
      'redirects are off for this source: list hosts in its redirect.allowedHosts',
    );
  }
  if (raw === undefined || raw.trim() === '')
    throw new RedirectRefusedError('"u" (the target URL) is missing');
  // A relative or scheme-relative target (`//evil.com`, `/\evil.com`) has no base to resolve against: refused.
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new RedirectRefusedError('"u" is not an absolute URL');
  }
  if (target.protocol !== 'https:') throw new RedirectRefusedError('only https targets are allowed');
  if (target.username !== '' || target.password !== '') {
    throw new RedirectRefusedError('a target with user info is not allowed');
  }
  if (target.port !== '') throw new RedirectRefusedError('only the default port is allowed');
  const host = target.hostname;
  if (host.startsWith('[') || IPV4.test(host)) {
    throw new RedirectRefusedError('an IP address is not allowed as the target host');
  }
  if (!allowedHosts.includes(host)) {
    throw new RedirectRefusedError(`host ${host} is not in this source's redirect.allowedHosts`);
  }
  return target;
}
