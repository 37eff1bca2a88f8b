import type { JsonObject } from '../../../lambda/events/segment-event';
import { loadHttpFixture } from '../../support/http-fixture';

/** The JSON body of a captured SDK request (`test/fixtures/sdk-requests/<name>.http`), fresh each call. */
export function sdkBody(name: string): JsonObject {
  return JSON.parse(loadHttpFixture(name).body) as JsonObject;
}

/** analytics-next's single track call (`POST /v1/t`): `timestamp`, `sentAt`, userId and anonymousId. */
export const browserTrack = (): JsonObject => sdkBody('browser_t');

/** RudderStack's track call: `originalTimestamp`, no `timestamp`, and `userId: ""` (anonymous). */
export const rudderTrack = (): JsonObject => sdkBody('rs_track');

/** analytics-node's batch: `{ batch: [track, identify], writeKey, sentAt }`, messages without `sentAt`. */
export function nodeBatch(): { readonly batch: JsonObject[]; readonly sentAt: string } {
  const body = sdkBody('node');
  return { batch: body.batch as JsonObject[], sentAt: body.sentAt as string };
}
