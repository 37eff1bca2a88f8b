/**
 * What the same-origin path (`lib/constructs/same-origin-path.ts`, a behavior on a site's own
 * CloudFront distribution) and the collector (`lambda/http/client-ip.ts`) agree on.
 */

/**
 * The custom origin header the distribution adds to every request it forwards to the API. CloudFront
 * overwrites a viewer's header of the same name, so only a request that went through the
 * distribution carries the right value.
 */
export const ORIGIN_SECRET_HEADER = 'x-collector-origin-secret';

/** The function's environment variable holding the value the header must have. */
export const ORIGIN_SECRET_ENV = 'SAME_ORIGIN_SECRET';

/**
 * Headers the distribution's viewer-request function sets (overwriting a viewer's): the `Host` the
 * browser asked for and the path prefix it removed, so the settings analytics.js loads through the
 * site name the site, not the API. Trusted only with the origin secret.
 */
export const FORWARDED_HOST_HEADER = 'x-collector-forwarded-host';
export const PATH_PREFIX_HEADER = 'x-collector-path-prefix';

/** The header CloudFront adds with the viewer's address and port (`198.51.100.7:443`, `2001:db8::1:443`). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';
