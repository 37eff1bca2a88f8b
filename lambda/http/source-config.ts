import type { RuntimeSource } from '../config/runtime-config';

/**
 * The smallest source configuration RudderStack's browser SDK (v3) accepts, as `GET /sourceConfig/`
 * answers it. The SDK checks `source.id`, a `source.config` object and a `source.destinations` array;
 * `enabled: false` would stop it. No destinations means no device-mode SDK is fetched from a CDN,
 * and `statsCollection` off means it reports no errors or metrics to RudderStack's own services:
 * every event goes to the data plane URL the site configured (this collector) and nowhere else.
 */
export interface RudderStackSourceConfig {
  readonly isHosted: false;
  readonly source: {
    readonly id: string;
    readonly name: string;
    readonly writeKey: string;
    readonly enabled: true;
    readonly workspaceId: string;
    readonly config: {
      readonly statsCollection: {
        readonly errors: { readonly enabled: false };
        readonly metrics: { readonly enabled: false };
      };
    };
    readonly destinations: readonly never[];
  };
}

/** The workspace id RudderStack's SDK records; the collector has no workspaces, so a fixed name. */
export const SOURCE_CONFIG_WORKSPACE_ID = 'kinesis-event-forwarder';

/** The RudderStack source configuration of a source, for the write key the SDK asked with. */
export function rudderStackSourceConfig(source: RuntimeSource, writeKey: string): RudderStackSourceConfig {
  return {
    isHosted: false,
    source: {
      id: source.id,
      name: source.id,
      writeKey,
      enabled: true,
      workspaceId: SOURCE_CONFIG_WORKSPACE_ID,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}
