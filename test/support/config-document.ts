import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The other account's destination of {@link threeSourceDocument}: its role and external ID. */
export const PARTNER = {
  roleArn: 'arn:aws:iam::333333333333:role/partner-writer',
  externalId: 'partner-external-id-7c1d',
  streamName: 'partner-events',
  region: 'eu-west-1',
} as const;

/** Planned track events of the 20 KB inline tracking plan, besides `Order Completed`. */
const FILLER_EVENTS = 90;

/**
 * A tracking plan of about 20 KB: `Order Completed` needs a numeric `total`, and 90 more planned
 * events with schemas of their own; unplanned events pass, violations are blocked.
 */
export function largeTrackingPlan(): Record<string, unknown> {
  const events: Record<string, unknown> = {
    'Order Completed': {
      type: 'object',
      required: ['total'],
      properties: { total: { type: 'number' } },
    },
  };
  for (let i = 0; i < FILLER_EVENTS; i++) {
    events[`Catalog Event ${i}`] = {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', minLength: 1 },
        amount: { type: 'number', minimum: 0 },
        currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
        note: { type: 'string', maxLength: 200 },
      },
    };
  }
  return { events, unplanned: 'allow', violations: 'block' };
}

/**
 * The document of issue 33's "Done when": three sources (`web` with a 20 KB inline tracking plan and
 * its own origins, `app` with consent and redaction, `server` in the raw Segment format) and two
 * destinations (`kinesis`, bound to the stream stack, and `partner`, a stream in another account).
 * No write keys: deploy keeps them in the write-key secret.
 */
export function threeSourceDocument(): Record<string, unknown> {
  return {
    sources: [
      {
        id: 'web',
        allowedOrigins: ['https://*.example.com', 'https://www.example.org'],
        destinations: ['kinesis'],
        trackingPlan: largeTrackingPlan(),
      },
      {
        id: 'app',
        destinations: ['kinesis'],
        pipeline: {
          consent: { requiredCategories: ['analytics'], whenMissing: 'drop' },
          redact: { drop: ['context.ip'], hash: ['traits.email'] },
        },
      },
      { id: 'server', destinations: ['kinesis', 'partner'], pipeline: { recordFormat: 'segment' } },
    ],
    destinations: [
      { id: 'kinesis', streamName: 'events', failedStreamName: 'events-failed', region: 'us-east-1' },
      { id: 'partner', ...PARTNER },
    ],
    cors: { allowedOrigins: ['https://shop.example.com'], maxAgeSeconds: 600 },
  };
}

/** Writes `document` as `<dir>/<name>` and returns its path, for `-c collectorConfig=<path>`. */
export function writeDocument(dir: string, document: unknown, name = 'collector-config.json'): string {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}
