/**
 * `npx tsx bench/unauthenticated-cost.ts`: what a request without a valid write key costs the
 * collector, next to an accepted one of the same size (docs/security.md, "Flood protection"). The
 * handler runs in-process with the stream write stubbed out; each figure is the CPU time per request
 * (median of rounds of many requests), so it says what a flood of such requests burns in Lambda.
 */
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../lambda/config/runtime-config';
import type { RecordWriter } from '../lambda/delivery/record-writer';
import { createHandler } from '../lambda/handler';
import { localCollectorConfig, localModeSettings } from '../local/local-mode';
import { batchApiEvent, batchBody, trackEvents } from './events';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 200);

const settings = localModeSettings({ WRITE_KEY: 'bench-write-key' });
const config = parseRuntimeConfig(localCollectorConfig(settings, 'http://127.0.0.1:9'));
const stubWriter: RecordWriter = { write: async () => ({ failed: [], calls: 1 }) };
const handler = createHandler({
  config,
  writers: new Map(config.destinations.map((destination) => [destination.id, stubWriter])),
  logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
});
const context = {
  functionName: 'bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** A batch of `count` ~1 KB track events as analytics-node sends it. */
const batch = (count: number) => batchBody(trackEvents(count, 'unauthenticated'));

function withHeaders(
  event: APIGatewayProxyEventV2,
  headers: Record<string, string | undefined>,
): APIGatewayProxyEventV2 {
  const merged = { ...event.headers, ...headers };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return { ...event, headers: merged };
}

const guessedKey = `Basic ${Buffer.from('guessed-key:').toString('base64')}`;
const body = batch(400);
const gzipped = gzipSync(body).toString('base64');
const cases: { name: string; status: number; event: APIGatewayProxyEventV2 }[] = [
  { name: 'accepted: valid key, 400 events', status: 200, event: batchApiEvent(body, 'ok') },
  {
    name: 'unknown key in Authorization',
    status: 401,
    event: withHeaders(batchApiEvent(body, 'a'), { authorization: guessedKey }),
  },
  {
    name: 'no key anywhere',
    status: 401,
    event: withHeaders(batchApiEvent(body, 'b'), { authorization: undefined }),
  },
  {
    name: 'unknown key in the body (must parse it)',
    status: 401,
    event: withHeaders(batchApiEvent(JSON.stringify({ ...JSON.parse(body), writeKey: 'guessed' }), 'c'), {
      authorization: undefined,
    }),
  },
  {
    name: 'no key, gzip body (must inflate and parse it)',
    status: 401,
    event: {
      ...withHeaders(batchApiEvent(gzipped, 'd'), { authorization: undefined, 'content-encoding': 'gzip' }),
      isBase64Encoded: true,
    },
  },
];

async function cpuPerRequest(event: APIGatewayProxyEventV2, status: number): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) {
      const answer = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
      if (answer.statusCode !== status) throw new Error(`expected ${status}, got ${answer.statusCode}`);
    }
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / PER_ROUND);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

async function main(): Promise<void> {
  console.log(`body: ${Buffer.byteLength(body)} bytes (400 events), gzip ${gzipped.length} bytes base64`);
  console.log('| request | answer | CPU per request (µs, median) |');
  console.log('|---|---|---|');
  for (const { name, status, event } of cases) {
    await cpuPerRequest(event, status);
    console.log(`| ${name} | ${status} | ${Math.round(await cpuPerRequest(event, status))} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
