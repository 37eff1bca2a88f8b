import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Where analytics.js sends events: a host (and path) without a scheme, plus the scheme apart. */
export interface CollectorEndpoint {
  /** `host[:port][/<stage>]/v1`, as analytics-next's `apiHost` wants it (no scheme, no trailing `/`). */
  readonly apiHost: string;
  readonly protocol: 'https' | 'http';
}

/**
 * The settings document analytics.js (analytics-next) loads from `<cdn>/v1/projects/<writeKey>/settings`
 * before it sends anything, answered by the collector so a site needs no Segment account.
 *
 * - `integrations` holds `Segment.io` only: one integration means no device-mode destination, so the
 *   SDK loads no destination code from any CDN; `apiHost` and `protocol` send every event here.
 * - `metrics`: without it analytics-next posts usage counters to api.segment.io every 30 s.
 *   `sampleRate: 0` stops the sampling and the flush timer; `host` names this collector's `/v1/m`
 *   (accepted and dropped) in case a future SDK samples anyway.
 * - No `remotePlugins`, `enabledMiddleware`, `middlewareSettings`, `legacyVideoPluginsEnabled` or
 *   `plan`: each of those makes the SDK load code (from `<cdn>/analytics-next/bundles/` or elsewhere).
 */
export interface AnalyticsSettings {
  readonly integrations: {
    readonly 'Segment.io': {
      readonly apiKey: string;
      readonly apiHost: string;
      readonly protocol: 'https' | 'http';
      readonly addBundledMetadata: false;
      readonly unbundledIntegrations: readonly never[];
      /**
       * With the source's identity cookie on: analytics-next's dispatchers pass
       * `deliveryStrategy.config.credentials` to `fetch`, so the browser sends and stores the cookie.
       */
      readonly deliveryStrategy?: { readonly config: { readonly credentials: 'include' } };
    };
  };
  readonly metrics: { readonly sampleRate: 0; readonly host: string; readonly protocol: 'https' | 'http' };
  readonly remotePlugins: readonly never[];
  readonly enabledMiddleware: Readonly<Record<string, never>>;
}

/**
 * How long a browser may reuse the settings (`Cache-Control: private`: the answer is built from the
 * request's host and `X-Forwarded-Proto`, so no shared cache should hand one client's answer to
 * another). Short, so a revoked write key or a moved collector is picked up within minutes; long
 * enough that a site's page views do not each cost a settings request.
 */
export const ANALYTICS_SETTINGS_CACHE_CONTROL = 'private, max-age=300';

/**
 * The settings analytics.js needs to send the events of `writeKey` to the collector at `endpoint`;
 * `credentials` (the source sets the identity cookie): its requests are sent with credentials.
 */
export function analyticsSettings(
  writeKey: string,
  endpoint: CollectorEndpoint,
  options: { readonly credentials?: boolean } = {},
): AnalyticsSettings {
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: endpoint.apiHost,
        protocol: endpoint.protocol,
        addBundledMetadata: false,
        unbundledIntegrations: [],
        ...(options.credentials ? { deliveryStrategy: { config: { credentials: 'include' } } } : {}),
      },
    },
    metrics: { sampleRate: 0, host: endpoint.apiHost, protocol: endpoint.protocol },
    remotePlugins: [],
    enabledMiddleware: {},
  };
}

/**
 * The endpoint a request came through, so the settings send events back the same way: the host the
 * client asked for (the custom domain, or the execute-api host), the path before `/v1` (a stage; a
 * custom domain's API mapping has no path, so `rawPath` is the route's own), and `https` unless
 * every `X-Forwarded-Proto` value says `http`: API Gateway serves HTTPS only, and local mode's
 * stand-in, which serves plain HTTP, says so in that header. With `siteEndpoint` (a request that came
 * through the site's distribution: `www.example.com/collect`), that endpoint over https.
 */
export function collectorEndpointOf(
  event: APIGatewayProxyEventV2,
  basePath: string,
  siteEndpoint?: string,
): CollectorEndpoint {
  // Through the site's distribution (same-origin path): the site's host and prefix, always https.
  if (siteEndpoint !== undefined) return { apiHost: `${siteEndpoint}/v1`, protocol: 'https' };
  const host = event.requestContext.domainName || event.headers?.host || 'localhost';
  const forwarded = (event.headers?.['x-forwarded-proto'] ?? '')
    .split(',')
    .map((value) => value.trim().toLowerCase());
  const protocol = forwarded.every((value) => value === 'http') ? 'http' : 'https';
  return { apiHost: `${host}${basePath.replace(/\/+$/, '')}/v1`, protocol };
}
