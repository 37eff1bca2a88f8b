import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord, loadDeaggregator } from '../tools/tail/decode-record';
import { tailStream } from '../tools/tail/stream-tail';
import type { StartPosition } from '../tools/tail/tail-args';
import { DebugFeed } from './debug-page-feed';
import { debugPageHtml } from './debug-page-html';

/** The page's path on the local collector; its event stream is at `${DEBUG_PAGE_PATH}/events`. */
export const DEBUG_PAGE_PATH = '/_debug';

export interface DebugPageOptions {
  /** A client that reads the stream(s); the page owns it from now on. */
  readonly client: KinesisClient;
  readonly streamName: string;
  /** The failed-events stream: its records are shown with status `failed`. @default - not read */
  readonly failedStreamName?: string;
  /** The write keys: never shown on the page. */
  readonly secrets: readonly string[];
  /** @default 200 */
  readonly capacity?: number;
  /** How often a caught-up shard is polled. @default 250 */
  readonly pollMs?: number;
  /** Where each shard is first read from. @default - LATEST */
  readonly start?: StartPosition;
  /** See `ShardReadOptions.timestampOnClient` (emulators). @default false */
  readonly timestampOnClient?: boolean;
  /** The line under the page's title. @default - `local collector · stream "<streamName>"` */
  readonly subtitle?: string;
  /** Trusted HTML added to the toolbar (local mode's fault switches). @default - nothing */
  readonly controls?: string;
  /** Scripts run after the page's own (the switches' behaviour). @default - none */
  readonly scripts?: readonly string[];
}

export interface DebugPage {
  readonly feed: DebugFeed;
  /** Serves `/_debug` and `/_debug/events`; returns false for any other request. */
  readonly route: DebugPageRoute;
  /** Hook for the local collector: each answered request. */
  readonly recordExchange: DebugFeed['recordExchange'];
  stop(): Promise<void>;
}

const SSE_KEEPALIVE_MS = 15_000;

function serveEvents(feed: DebugFeed, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const send = (entry: unknown) => response.write(`data: ${JSON.stringify(entry)}\n\n`);
  response.write('retry: 1000\n\n');
  for (const entry of feed.snapshot()) send(entry);
  const unsubscribe = feed.subscribe(send);
  const keepalive = setInterval(() => response.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
  const close = () => {
    clearInterval(keepalive);
    unsubscribe();
  };
  request.on('close', close);
  response.on('close', close);
}

/** Answers a request for the page (`/_debug`) or its events (`/_debug/events`); false for any other path. */
export type DebugPageRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The page's two routes over a feed: `GET /_debug` the HTML (strict CSP: inline script and style,
 * connections to itself only), `GET /_debug/events` the feed as Server-Sent Events, replayed in full
 * on each connection. Shared by local mode and `npm run live`.
 */
export function debugPageRoute(feed: DebugFeed, html: string): DebugPageRoute {
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== DEBUG_PAGE_PATH && path !== `${DEBUG_PAGE_PATH}/` && path !== `${DEBUG_PAGE_PATH}/events`) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed');
    } else if (path.endsWith('/events')) {
      serveEvents(feed, request, response);
    } else {
      response
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
        })
        .end(request.method === 'HEAD' ? undefined : html);
    }
    return true;
  };
}

/**
 * The live events page (local mode and `npm run live`; never part of the Lambda): reads the stream
 * (and the failed-events stream, whose records show as `failed`) from LATEST with tail's shard
 * follower and keeps the last events, with the refused ones the local collector reports through
 * `recordExchange`. Resolves once every shard is being read, so no event written after that is
 * missed.
 */
export async function startDebugPage(options: DebugPageOptions): Promise<DebugPage> {
  const capacity = options.capacity ?? 200;
  const feed = new DebugFeed({ capacity, secrets: options.secrets });
  const deaggregator = loadDeaggregator();
  const stopping = new AbortController();
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const streams = [
    options.streamName,
    ...(options.failedStreamName === undefined ? [] : [options.failedStreamName]),
  ];
  let readyStreams = 0;
  const tail = Promise.all(
    streams.map((streamName) =>
      tailStream({
        client: options.client,
        streamName,
        start: options.start ?? { type: 'LATEST' },
        follow: true,
        signal: stopping.signal,
        pollMs: options.pollMs ?? 250,
        timestampOnClient: options.timestampOnClient === true,
        onReady: () => {
          if (++readyStreams === streams.length) ready();
        },
        onRecords: (records) => {
          for (const record of records) feed.addFromStream(decodeRecord(record, deaggregator));
        },
      }).catch((error: unknown) => {
        if (stopping.signal.aborted) return;
        const { name, message } = error as Error;
        console.error(`live events: stopped reading "${streamName}": ${name}: ${message}`);
      }),
    ),
  );
  await Promise.race([isReady, tail]);
  const route = debugPageRoute(
    feed,
    debugPageHtml({
      capacity,
      eventsPath: `${DEBUG_PAGE_PATH}/events`,
      subtitle: options.subtitle ?? `local collector · stream "${options.streamName}"`,
      ...(options.controls === undefined ? {} : { controls: options.controls }),
      ...(options.scripts === undefined ? {} : { scripts: options.scripts }),
    }),
  );
  return {
    feed,
    route,
    recordExchange: feed.recordExchange,
    stop: async () => {
      stopping.abort();
      await tail;
      options.client.destroy();
    },
  };
}
