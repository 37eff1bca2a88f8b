// Browser entry bundled (with esbuild, at test time) into the page of the RudderStack tests. It
// loads the real @rudderstack/analytics-js package (its `bundled` entry: no plugin fetched from a
// CDN) against the collector, which also answers its source configuration, and makes every call.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';

/**
 * Loads the SDK with the collector as data plane and config URL, waits until it is ready, and sends
 * page, track, identify, group and alias (the browser SDK has no screen call).
 *
 * @param {{ writeKey: string, dataPlaneUrl: string, useBeacon: boolean, tag: string }} options
 */
window.runRudderStack = async ({ writeKey, dataPlaneUrl, useBeacon, tag }) => {
  const analytics = new RudderAnalytics();
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('RudderStack SDK was not ready after 10 s')), 10_000);
    analytics.load(writeKey, dataPlaneUrl, {
      configUrl: dataPlaneUrl,
      useBeacon,
      beaconQueueOptions: { flushQueueInterval: 200 },
      polyfillIfRequired: false,
      logLevel: 'WARN',
      onLoaded: () => undefined,
    });
    analytics.ready(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const properties = (call) => ({ marker: `${tag}-${call}`, revenue: 9.99, unicode: 'héllo — 日本語 🎉' });
  const userId = `user-${tag}`;
  analytics.page('Docs', 'Home', properties('page'));
  analytics.track('Order Completed', properties('track'));
  analytics.identify(userId, { email: `${tag}@example.com`, name: 'Arr' });
  analytics.group(`group-${tag}`, { plan: 'pro' });
  analytics.alias(`${userId}-renamed`, userId);
};
