import { Logger } from '@aws-lambda-powertools/logger';
import {
  parseRuntimeConfig,
  type RuntimeConfig,
  type RuntimeConfigInput,
} from '../../lambda/config/runtime-config';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { createHandler } from '../../lambda/handler';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { emulatorCredentials } from '../../local/local-mode';

/** What the collector of `startPlanCollector` is made of. */
export interface PlanCollectorSettings {
  /** The emulator's endpoint. */
  readonly endpoint: string;
  readonly sourceId: string;
  readonly writeKey: string;
  readonly streamName: string;
  readonly failedStreamName: string;
  /** The properties `Order Completed` must have (`violations: block`, `unplanned: allow`). */
  readonly required: readonly string[];
}

/**
 * The configuration document of one source whose tracking plan wants `required` on `Order
 * Completed` (violations blocked, unplanned events allowed), writing to a stream with a failed-events stream.
 */
export function planDocument(settings: PlanCollectorSettings): RuntimeConfigInput {
  return {
    sources: [
      {
        id: settings.sourceId,
        writeKeys: [settings.writeKey],
        destinations: ['d'],
        trackingPlan: {
          events: { 'Order Completed': { type: 'object', required: [...settings.required] } },
          unplanned: 'allow',
          violations: 'block',
        },
      },
    ],
    destinations: [
      {
        id: 'd',
        streamName: settings.streamName,
        failedStreamName: settings.failedStreamName,
        region: 'us-east-1',
        endpoint: settings.endpoint,
        credentials: emulatorCredentials(),
      },
    ],
  };
}

/**
 * The real collector (handler and local API Gateway stand-in) with `planDocument`'s configuration,
 * writing both streams of an emulator; the streams must exist.
 */
export async function startPlanCollector(
  settings: PlanCollectorSettings,
): Promise<{ readonly url: string; readonly config: RuntimeConfig; close(): Promise<void> }> {
  const config = parseRuntimeConfig(planDocument(settings));
  const destination = config.destinations[0] as (typeof config.destinations)[number];
  const writerOf = (streamName: string) =>
    new KinesisRecordWriter({
      client: createKinesisClient(destination),
      streamName,
      backoff: config.delivery,
    });
  const handler = createHandler({
    config,
    writers: new Map([['d', writerOf(settings.streamName)]]),
    failedWriters: new Map([['d', writerOf(settings.failedStreamName)]]),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  });
  const collector = await startApiGatewayServer({ handler, port: 0 });
  return { url: collector.url, config, close: () => collector.close() };
}

/** `Authorization: Basic` of a write key, as the SDKs send it. */
export const basicAuth = (writeKey: string): string =>
  `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
