/**
 * Child-process entry of the benchmark's collector: the local API Gateway stand-in in front of the
 * real handler, set up the way `npm start` sets it up (bin/local-collector.ts): the local-mode
 * configuration in `COLLECTOR_CONFIG`, then the deployed entry point `lambda/index.ts` imported.
 * With `BENCH_WRITER=put-record` the same handler is built with a one-PutRecord-per-event writer
 * instead (the peer style, for comparison only).
 * Reports its URL over IPC, and on request the handler durations (ms) and CPU time seen since the last report.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import { createKinesisClient } from '../lambda/delivery/kinesis-client';
import type { CollectorHandler } from '../lambda/handler';
import { createHandler } from '../lambda/handler';
import { startApiGatewayServer } from '../local/api-gateway-server';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { PutRecordPerEventWriter } from './put-record-writer';

async function loadHandler(): Promise<CollectorHandler> {
  const settings = localModeSettings({
    STREAM_NAME: process.env.BENCH_STREAM,
    WRITE_KEY: process.env.BENCH_WRITE_KEY,
  });
  const config = localCollectorConfig(settings, process.env.BENCH_KINESIS_ENDPOINT as string);
  if (process.env.BENCH_WRITER === 'put-record') {
    const parsed = parseRuntimeConfig(config);
    const writers = new Map(
      parsed.destinations.map((destination) => [
        destination.id,
        new PutRecordPerEventWriter(createKinesisClient(destination), destination.streamName),
      ]),
    );
    const logger = new Logger({ serviceName: 'bench', logLevel: 'WARN' });
    return createHandler({ config: parsed, writers, logger });
  }
  process.env.COLLECTOR_CONFIG = JSON.stringify(config);
  const entry = await import('../lambda/index');
  return entry.handler;
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const handler = await loadHandler();
  let durations: number[] = [];
  let cpuSince = process.cpuUsage();
  const timed: CollectorHandler = async (event: APIGatewayProxyEventV2, context: Context) => {
    const start = performance.now();
    try {
      return await handler(event, context);
    } finally {
      durations.push(performance.now() - start);
    }
  };
  const collector = await startApiGatewayServer({ handler: timed, port: 0 });
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'durations') return;
    const cpu = process.cpuUsage(cpuSince);
    process.send?.({ type: 'durations', durations, cpuMs: (cpu.user + cpu.system) / 1000 });
    durations = [];
    cpuSince = process.cpuUsage();
  });
  process.send?.({ type: 'listening', url: collector.url });
}

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
