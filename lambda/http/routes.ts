import type { EventType } from '../events/segment-event';

/** What a request path asks the collector to do. */
export type Route =
  | { readonly kind: 'event'; readonly type: EventType }
  | { readonly kind: 'batch' }
  /** analytics-next's own metrics (`/v1/m`): accepted and dropped, never an error. */
  | { readonly kind: 'telemetry' }
  /** RudderStack's `GET /sourceConfig/`: the settings its browser SDK must load before sending. */
  | { readonly kind: 'source-config' };

/** The methods each kind of route answers (besides `OPTIONS`, the CORS preflight). */
export function methodsOf(route: Route): readonly string[] {
  return route.kind === 'source-config' ? ['GET'] : ['POST'];
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

/** The route of a path, or `undefined` when the path is not one of ours. */
export function resolveRoute(path: string): Route | undefined {
  if (SOURCE_CONFIG_PATH.test(path)) return { kind: 'source-config' };
  const name = EVENT_PATH.exec(path)?.[1];
  if (name === undefined) return undefined;
  return ROUTES.get(SHORT_FORMS.get(name) ?? name);
}
