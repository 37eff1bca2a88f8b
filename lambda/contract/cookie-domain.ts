/**
 * Whether a cookie for `domain` set by an answer from `host` is first-party: the host is the domain
 * or one of its subdomains (`events.example.com` for `example.com`). Browsers refuse any other
 * `Domain`, so this is also how the collector knows it is reached first-party (through the custom
 * domain or the site's own CloudFront path, never the `execute-api` URL), and how synth checks a
 * custom domain against each source's identity cookie (lib/config/read-collector-config.ts).
 */
export function cookieDomainCovers(domain: string, host: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
