import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { failedStreamNameOf } from '../../lambda/contract/failed-stream-name';
import { DEBUG_PAGE_PATH, type DebugPage, startDebugPage } from '../../local/debug-page';
import { describeError, TailError } from '../tail/run-tail';
import { createTailClient, readsTimestampOnClient } from '../tail/tail-client';
import type { LiveOptions } from './live-args';

/** A running `npm run live`. */
export interface LiveServer {
  /** The page: `http://127.0.0.1:<port>/_debug`. */
  readonly url: string;
  /** The failed-events stream being read, if any. */
  readonly failedStreamName?: string;
  /** Why no failed-events stream is read, when none is. */
  readonly failedStreamNote?: string;
  stop(): Promise<void>;
}

/** Wait between polls of a caught-up shard: the same as tail, so other consumers keep their share. */
const LIVE_POLL_MS = 1_000;

function where(options: LiveOptions): string {
  const { endpoint, region } = options.connection;
  return endpoint ?? `region ${region ?? '(default)'}`;
}

/** Whether the failed-events stream can be read: its name, or why not. */
async function findFailedStream(
  client: KinesisClient,
  options: LiveOptions,
): Promise<{ name: string } | { note: string }> {
  const name = options.failedStreamName ?? failedStreamNameOf(options.connection.streamName);
  try {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return { name };
  } catch (error) {
    const explicit = options.failedStreamName !== undefined;
    if ((error as Error).name === 'ResourceNotFoundException' && !explicit) {
      return { note: `no failed-events stream "${name}" at ${where(options)}` };
    }
    const problem = describeError(error, { connection: { ...options.connection, streamName: name } });
    if (explicit) throw problem;
    return { note: `not reading the failed-events stream: ${problem.message}` };
  }
}

/**
 * `npm run live`: the live events page for a stream anywhere (local emulator or AWS), served on
 * 127.0.0.1 only, so an operator watches production traffic without deploying anything public.
 * Checks the stream first (a missing stream or missing rights fail with tail's one-line messages),
 * reads it and its failed-events stream with tail's reader, and serves `/_debug` (`/` redirects
 * there). Throws `TailError` with a one-line message.
 */
export async function startLive(options: LiveOptions, client?: KinesisClient): Promise<LiveServer> {
  const reader = client ?? createTailClient(options.connection);
  let page: DebugPage | undefined;
  let server: Server | undefined;
  try {
    await reader.send(new DescribeStreamSummaryCommand({ StreamName: options.connection.streamName }));
    const failed = await findFailedStream(reader, options);
    const failedStreamName = 'name' in failed ? failed.name : undefined;
    page = await startDebugPage({
      client: reader,
      destinations: [
        {
          id: options.connection.streamName,
          streamName: options.connection.streamName,
          ...(failedStreamName === undefined ? {} : { failedStreamName }),
        },
      ],
      seesAnswers: false,
      secrets: [],
      capacity: options.capacity,
      start: options.start,
      pollMs: LIVE_POLL_MS,
      timestampOnClient: readsTimestampOnClient(options.connection),
      subtitle: `stream "${options.connection.streamName}"${failedStreamName === undefined ? '' : ` and "${failedStreamName}"`} at ${where(options)}`,
    });
    const { route } = page;
    server = createServer((request, response) => {
      if (route(request, response)) return;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path === '/') response.writeHead(302, { location: DEBUG_PAGE_PATH }).end();
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found: the page is at /_debug');
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port, '127.0.0.1', () => resolve());
    });
    const { port } = listening.address() as AddressInfo;
    const running = page;
    return {
      url: `http://127.0.0.1:${port}${DEBUG_PAGE_PATH}`,
      ...(failedStreamName === undefined ? {} : { failedStreamName }),
      ...('note' in failed ? { failedStreamNote: failed.note } : {}),
      stop: async () => {
        listening.closeAllConnections();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
        await running.stop();
      },
    };
  } catch (error) {
    server?.close();
    if (page !== undefined) await page.stop();
    else reader.destroy();
    if (error instanceof TailError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new TailError(`port ${options.port} is in use: give another with --port (0 picks a free one)`, {
        cause: error,
      });
    }
    throw describeError(error, options);
  }
}
