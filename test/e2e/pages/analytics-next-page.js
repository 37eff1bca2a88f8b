// Browser entry bundled (with esbuild, at test time) into the page of the analytics-next tests.
// It loads the real @segment/analytics-next npm package against the collector, the way a site
// using the npm form would, and makes every call type.
import { AnalyticsBrowser } from '@segment/analytics-next';

/**
 * Loads analytics.js with its settings given inline (no CDN request), or, with `settingsFromCdn`,
 * with none: it then loads them from `cdnURL`. Sends page, track, screen, identify, group and alias.
 * Resolves with the messageId of each call, in call order.
 *
 * @param {{ writeKey: string, apiHost: string, cdnURL: string, deliveryStrategy?: object, settingsFromCdn?: boolean, tag: string }} options
 */
window.runAnalyticsNext = async ({ writeKey, apiHost, cdnURL, deliveryStrategy, settingsFromCdn, tag }) => {
  const segmentIo = {
    apiKey: writeKey,
    apiHost,
    protocol: 'http',
    ...(deliveryStrategy ? { deliveryStrategy } : {}),
  };
  const [analytics] = settingsFromCdn
    ? await AnalyticsBrowser.load({ writeKey, cdnURL })
    : await AnalyticsBrowser.load(
        { writeKey, cdnURL, cdnSettings: { integrations: { 'Segment.io': segmentIo } } },
        { integrations: { 'Segment.io': { apiHost, protocol: 'http' } } },
      );
  const properties = (call) => ({ marker: `${tag}-${call}`, revenue: 9.99, unicode: 'héllo — 日本語 🎉' });
  const userId = `user-${tag}`;
  const contexts = [
    await analytics.page('Docs', 'Home', properties('page')),
    await analytics.track('Order Completed', properties('track')),
    await analytics.screen('Onboarding', 'Welcome', properties('screen')),
    await analytics.identify(userId, { email: `${tag}@example.com`, name: 'Bee' }),
    await analytics.group(`group-${tag}`, { plan: 'pro' }),
    await analytics.alias(`${userId}-renamed`, userId),
  ];
  return contexts.map((context) => context.event.messageId);
};
