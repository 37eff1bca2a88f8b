import type { EventType } from '../events/segment-event';
import type { PixelFlavour } from './pixel-request';

/** What a request path asks the collector to do. */
export type Route =
  | { readonly kind: 'event'; readonly type: EventType }
  | { readonly kind: 'batch' }
  /** analytics-next's own metrics (`/v1/m`): accepted and dropped, never an error. */
  | { readonly kind: 'telemetry' }
  /** RudderStack's `GET /sourceConfig/`: the settings its browser SDK must load before sending. */
  | { readonly kind: 'source-config' }
  /**
   * analytics.js's `GET /v1/projects/{writeKey}/settings`, what Segment's CDN would answer.
   * `basePath` is whatever came before `/v1` (an API Gateway stage such as `/prod`, or nothing).
   */
  | { readonly kind: 'analytics-settings'; readonly writeKey: string; readonly basePath: string }
  /** A pixel (`GET` an image): Segment's `/v1/pixel/<type>` or RudderStack's `/pixel/v1/<track|page>`. */
  | { readonly kind: 'pixel'; readonly type: EventType; readonly flavour: PixelFlavour }
  /** A link click (`GET /v1/r?u=<url>`): recorded as `Link Clicked`, answered with a redirect. */
  | { readonly kind: 'redirect' };

/** The methods each kind of route answers (besides `OPTIONS`, the CORS preflight). */
export function methodsOf(route: Route): readonly string[] {
  if (route.kind === 'pixel') return ['GET', 'HEAD'];
  return route.kind === 'source-config' || route.kind === 'analytics-settings' || route.kind === 'redirect'
    ? ['GET']
    : ['POST'];
}

const ROUTES: ReadonlyMap<string, Route> = new Map(
  Object.entries({
    track: { kind: 'event', type: 'track' },
    identify: { kind: 'event', type: 'identify' },
    page: { kind: 'event', type: 'page' },
    screen: { kind: 'event', type: 'screen' },
    group: { kind: 'event', type: 'group' },
    alias: { kind: 'event', type: 'alias' },
    batch: { kind: 'batch' },
    import: { kind: 'batch' },
    m: { kind: 'telemetry' },
    r: { kind: 'redirect' },
  } satisfies Record<string, Route>),
);
const SHORT_FORMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    t: 'track',
    i: 'identify',
    p: 'page',
    s: 'screen',
    g: 'group',
    a: 'alias',
    b: 'batch',
  }),
);

/**
 * `/v1/<name>` at the end of the path; anything before it (an API Gateway stage such as `/prod`)
 * is ignored. `/beacon/v1/batch` is RudderStack's `sendBeacon` form.
 */
const EVENT_PATH = /\/v1\/([a-z]+)\/?$/;
/** RudderStack builds `<configUrl>/sourceConfig/`, so a stage prefix may come before it. */
const SOURCE_CONFIG_PATH = /(?:^|\/)sourceConfig\/?$/;

/** analytics.js loads `<cdn>/v1/projects/<writeKey>/settings`; the CDN URL may carry a stage path. */
const ANALYTICS_SETTINGS_PATH = /^(.*?)\/v1\/projects\/([^/]+)\/settings\/?$/;

/**
 * Segment's pixel, `/v1/pixel/<type>`, and RudderStack's, `/pixel/v1/<track|page>`, after any stage
 * prefix. Tried before the event routes: `/pixel/v1/track` is RudderStack's pixel, not stage `/pixel`.
 */
const SEGMENT_PIXEL_PATH = /\/v1\/pixel\/(track|page|identify|group|alias|screen)\/?$/;
const RUDDERSTACK_PIXEL_PATH = /(?:^|\/)pixel\/v1\/(track|page)\/?$/;

/** The pixel route of a path, or `undefined` when it is not a pixel's. */
export function pixelRouteOf(path: string): Extract<Route, { kind: 'pixel' }> | undefined {
  const segment = SEGMENT_PIXEL_PATH.exec(path)?.[1];
  if (segment !== undefined) return { kind: 'pixel', type: segment as EventType, flavour: 'segment' };
  const rudderstack = RUDDERSTACK_PIXEL_PATH.exec(path)?.[1];
  if (rudderstack !== undefined) {
    return { kind: 'pixel', type: rudderstack as EventType, flavour: 'rudderstack' };
  }
  return undefined;
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The route of a path, or `undefined` when the path is not one of ours. */
export function resolveRoute(path: string): Route | undefined {
  const pixel = pixelRouteOf(path);
  if (pixel !== undefined) return pixel;
  if (SOURCE_CONFIG_PATH.test(path)) return { kind: 'source-config' };
  const settings = ANALYTICS_SETTINGS_PATH.exec(path);
  if (settings !== null) {
    const writeKey = decodedSegment(settings[2] ?? '');
    if (writeKey === undefined || writeKey === '') return undefined;
    return { kind: 'analytics-settings', writeKey, basePath: settings[1] ?? '' };
  }
  const name = EVENT_PATH.exec(path)?.[1];
  if (name === undefined) return undefined;
  return ROUTES.get(SHORT_FORMS.get(name) ?? name);
}
