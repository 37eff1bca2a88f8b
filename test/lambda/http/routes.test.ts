import { resolveRoute } from '../../../lambda/http/routes';
import { loadHttpFixture } from '../../support/http-fixture';

/** The path of a captured request, without its query string. */
const pathOf = (fixture: string) => loadHttpFixture(fixture).target.split('?')[0] ?? '';

describe('resolveRoute', () => {
  it.each([['track'], ['identify'], ['page'], ['screen'], ['group'], ['alias']])(
    'routes POST /v1/%s to a single event of that type',
    (type) => {
      // Act
      const route = resolveRoute(`/v1/${type}`);

      // Assess
      expect(route).toEqual({ kind: 'event', type });
    },
  );

  it.each([
    ['t', 'track'],
    ['i', 'identify'],
    ['p', 'page'],
    ['s', 'screen'],
    ['g', 'group'],
    ['a', 'alias'],
  ])("routes analytics-next's short form /v1/%s to %s", (letter, type) => {
    // Act
    const route = resolveRoute(`/v1/${letter}`);

    // Assess
    expect(route).toEqual({ kind: 'event', type });
  });

  it.each([['/v1/batch'], ['/v1/b'], ['/v1/import'], ['/beacon/v1/batch']])(
    'routes %s to a batch',
    (path) => {
      // Act
      const route = resolveRoute(path);

      // Assess
      expect(route).toEqual({ kind: 'batch' });
    },
  );

  it("routes analytics-next's telemetry /v1/m to be accepted and dropped", () => {
    // Act
    const route = resolveRoute('/v1/m');

    // Assess
    expect(route).toEqual({ kind: 'telemetry' });
  });

  it("routes RudderStack's source config request, with or without a stage prefix", () => {
    // Act
    const routes = [pathOf('rs_config'), '/sourceConfig', '/prod/sourceConfig/'].map(resolveRoute);

    // Assess
    expect(routes).toEqual(Array(3).fill({ kind: 'source-config' }));
  });

  it.each([
    ['/prod/v1/t', { kind: 'event', type: 'track' }],
    ['/prod/v1/batch', { kind: 'batch' }],
    ['/staging/eu/v1/identify', { kind: 'event', type: 'identify' }],
  ])('ignores a stage prefix: %s', (path, expected) => {
    // Act
    const route = resolveRoute(path);

    // Assess
    expect(route).toEqual(expected);
  });

  it.each([
    ['/v1/projects/wk-1/settings', { kind: 'analytics-settings', writeKey: 'wk-1', basePath: '' }],
    ['/v1/projects/wk-1/settings/', { kind: 'analytics-settings', writeKey: 'wk-1', basePath: '' }],
    ['/prod/v1/projects/wk-1/settings', { kind: 'analytics-settings', writeKey: 'wk-1', basePath: '/prod' }],
    ['/v1/projects/a%2Bb%3D/settings', { kind: 'analytics-settings', writeKey: 'a+b=', basePath: '' }],
  ])(
    "routes analytics.js's settings request %s with its write key and the path before /v1",
    (path, expected) => {
      // Act
      const route = resolveRoute(path);

      // Assess
      expect(route).toEqual(expected);
    },
  );

  it.each([['/v1/projects//settings'], ['/v1/projects/%E0%A4%A/settings'], ['/v1/projects/wk/settings/x']])(
    'finds no settings route in %p',
    (path) => {
      // Act
      const route = resolveRoute(path);

      // Assess
      expect(route).toBeUndefined();
    },
  );

  it('accepts a trailing slash', () => {
    // Act
    const route = resolveRoute('/v1/track/');

    // Assess
    expect(route).toEqual({ kind: 'event', type: 'track' });
  });

  it.each([
    ['browser_t', { kind: 'event', type: 'track' }],
    ['browser_b', { kind: 'batch' }],
    ['metrics', { kind: 'telemetry' }],
    ['node', { kind: 'batch' }],
    ['rs_track', { kind: 'event', type: 'track' }],
    ['rs_batch', { kind: 'batch' }],
    ['rs_beacon', { kind: 'batch' }],
  ])('routes the path of the captured %s request', (fixture, expected) => {
    // Act
    const route = resolveRoute(pathOf(fixture));

    // Assess
    expect(route).toEqual(expected);
  });

  it.each([
    ['/v1/constructor'],
    ['/v1/__proto__'],
    ['/v1/toString'],
    ['/v1/hasOwnProperty'],
    ['/v2/track'],
    ['/v1/trak'],
    ['/v1/x'],
    ['/v1/'],
    ['/v1'],
    ['/'],
    [''],
    ['/v1/track/extra'],
    ['/v1/TRACK'],
  ])('finds no route for %p', (path) => {
    // Act
    const route = resolveRoute(path);

    // Assess
    expect(route).toBeUndefined();
  });
});

describe('resolveRoute for pixels', () => {
  it.each([['track'], ['page'], ['identify'], ['group'], ['alias'], ['screen']])(
    "routes Segment's /v1/pixel/%s, with or without a stage prefix, to a pixel of that type",
    (type) => {
      // Act
      const routes = [`/v1/pixel/${type}`, `/prod/v1/pixel/${type}/`].map(resolveRoute);

      // Assess
      expect(routes).toEqual(Array(2).fill({ kind: 'pixel', type, flavour: 'segment' }));
    },
  );

  it.each([['track'], ['page']])(
    "routes RudderStack's /pixel/v1/%s to its pixel, not to stage /pixel's event route",
    (type) => {
      // Act
      const routes = [`/pixel/v1/${type}`, `/prod/pixel/v1/${type}`].map(resolveRoute);

      // Assess
      expect(routes).toEqual(Array(2).fill({ kind: 'pixel', type, flavour: 'rudderstack' }));
    },
  );

  it.each([['/v1/pixel/bogus'], ['/v1/pixel']])('does not route %s', (path) => {
    // Act / Assess
    expect(resolveRoute(path)).toBeUndefined();
  });

  it("leaves /pixel/v1/identify to stage /pixel's identify route: RudderStack has no identify pixel", () => {
    // Act / Assess
    expect(resolveRoute('/pixel/v1/identify')).toEqual({ kind: 'event', type: 'identify' });
  });
});

describe('resolveRoute for link clicks', () => {
  it.each([['/v1/r'], ['/prod/v1/r']])('routes %s to the redirect', (path) => {
    // Act / Assess
    expect(resolveRoute(path)).toEqual({ kind: 'redirect' });
  });
});
