import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord, loadDeaggregator } from '../tools/tail/decode-record';
import { tailStream } from '../tools/tail/stream-tail';
import type { StartPosition } from '../tools/tail/tail-args';
import { DebugFeed } from './debug-page-feed';
import { debugPageHtml, type PageDestination } from './debug-page-html';
import type { PageViewOf } from './debug-page-rules';

export type { PageDestination } from './debug-page-html';

/** The page's path on the local collector; its event stream is at `${DEBUG_PAGE_PATH}/events`. */
export const DEBUG_PAGE_PATH = '/_debug';

export interface DebugPageOptions {
  /** A client that reads the stream(s); the page owns it from now on. */
  readonly client: KinesisClient;
  /**
   * The destinations the page can follow, one at a time (a picker lists them; the first is shown
   * first): each one's stream, and its failed-events stream, whose records show as `failed`. All are
   * read from the start, so switching shows each one's last events at once.
   */
  readonly destinations: readonly PageDestination[];
  /** The write keys: never shown on the page. */
  readonly secrets: readonly string[];
  /** How the bodies of the collector's answers are shown (field rules). @default - as sent */
  readonly view?: PageViewOf;
  /**
   * Whether the page is told the collector's answers (`recordExchange`: local mode), so refused
   * events can show; without them (`npm run live`) the refused counter and filter are left out.
   * @default true
   */
  readonly seesAnswers?: boolean;
  /** @default 200 */
  readonly capacity?: number;
  /** How often a caught-up shard is polled. @default 250 */
  readonly pollMs?: number;
  /** Where each shard is first read from. @default - LATEST */
  readonly start?: StartPosition;
  /** See `ShardReadOptions.timestampOnClient` (emulators). @default false */
  readonly timestampOnClient?: boolean;
  /** The line under the page's title. @default - `local collector` */
  readonly subtitle?: string;
  /** Trusted HTML added to the toolbar (local mode's fault switches). @default - nothing */
  readonly controls?: string;
  /** Scripts run after the page's own (the switches' behaviour). @default - none */
  readonly scripts?: readonly string[];
}

export interface DebugPage {
  /** The feed of each destination, by id. */
  readonly feeds: ReadonlyMap<string, DebugFeed>;
  /** Serves `/_debug` and `/_debug/events[?destination=<id>]`; returns false for any other request. */
  readonly route: DebugPageRoute;
  /**
   * Hook for the local collector: each answered request, told to every destination's feed (a
   * refusal concerns a request, not a stream: it shows whichever destination is followed).
   */
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
 * The page's two routes over the destinations' feeds: `GET /_debug` the HTML (strict CSP: inline
 * script and style, connections to itself only), `GET /_debug/events?destination=<id>` that
 * destination's feed (the first one's without `destination`) as Server-Sent Events, replayed in full
 * on each connection. Shared by local mode and `npm run live`.
 */
export function debugPageRoute(feeds: ReadonlyMap<string, DebugFeed>, html: string): DebugPageRoute {
  const [first] = feeds.values();
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path !== DEBUG_PAGE_PATH && path !== `${DEBUG_PAGE_PATH}/` && path !== `${DEBUG_PAGE_PATH}/events`) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed');
    } else if (path.endsWith('/events')) {
      const id = url.searchParams.get('destination');
      const feed = id === null ? first : feeds.get(id);
      if (feed === undefined) {
        response
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`No destination "${id}" here: pick one of ${[...feeds.keys()].join(', ')}\n`);
      } else serveEvents(feed, request, response);
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
 * The live events page (local mode and `npm run live`; never part of the Lambda): reads each
 * destination's stream (and its failed-events stream, whose records show as `failed`) from LATEST
 * with tail's shard follower and keeps each one's last events, with the refused ones the local
 * collector reports through `recordExchange`. Resolves once every shard is being read, so no event
 * written after that is missed.
 */
export async function startDebugPage(options: DebugPageOptions): Promise<DebugPage> {
  const capacity = options.capacity ?? 200;
  if (options.destinations.length === 0) throw new Error('startDebugPage: no destination to show');
  const feeds = new Map(
    options.destinations.map((destination) => [
      destination.id,
      new DebugFeed({
        capacity,
        secrets: options.secrets,
        ...(options.view === undefined ? {} : { view: options.view }),
      }),
    ]),
  );
  const deaggregator = loadDeaggregator();
  const stopping = new AbortController();
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const streams = options.destinations.flatMap((destination) => {
    const feed = feeds.get(destination.id) as DebugFeed;
    return [
      destination.streamName,
      ...(destination.failedStreamName === undefined ? [] : [destination.failedStreamName]),
    ].map((streamName) => ({ streamName, feed }));
  });
  let readyStreams = 0;
  const tail = Promise.all(
    streams.map(({ streamName, feed }) =>
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
    feeds,
    debugPageHtml({
      capacity,
      eventsPath: `${DEBUG_PAGE_PATH}/events`,
      subtitle: options.subtitle ?? 'local collector',
      destinations: options.destinations,
      seesAnswers: options.seesAnswers !== false,
      ...(options.controls === undefined ? {} : { controls: options.controls }),
      ...(options.scripts === undefined ? {} : { scripts: options.scripts }),
    }),
  );
  return {
    feeds,
    route,
    recordExchange: (event, result) => {
      for (const feed of feeds.values()) feed.recordExchange(event, result);
    },
    stop: async () => {
      stopping.abort();
      await tail;
      options.client.destroy();
    },
  };
}
