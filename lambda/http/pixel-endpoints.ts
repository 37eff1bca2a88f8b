import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RuntimeSource } from '../config/runtime-config';
import type { RequestFacts } from '../events/failure-record';
import { isJsonObject } from '../events/segment-event';
import type { Ingest } from '../ingest/ingest';
import { recordIngestMetrics } from '../observability/ingest-metrics';
import type { MetricSink } from '../observability/metric-sink';
import { HttpError } from './http-error';
import { describeUndelivered, UndeliveredError } from './outcome-response';
import { type PixelMessage, pixelMessage } from './pixel-request';
import { pixelResponse } from './pixel-response';
import { redirectTarget } from './redirect-target';
import type { Route } from './routes';

/** What the pixel and redirect endpoints share with the rest of the collector API. */
export interface PixelEndpointDependencies {
  readonly ingest: Ingest;
  /** The source of a write key (401 without one or for an unknown one, 403 for a refused origin). */
  readonly sourceOf: (event: APIGatewayProxyEventV2, writeKey: string | undefined) => Promise<RuntimeSource>;
  /** Counts a request against its source's rate limit; throws the 429 when it is over. */
  readonly admit: (source: RuntimeSource) => unknown;
  /** Keeps a request refused as a whole in the source's failed-events streams. */
  readonly keepRefused: (
    source: RuntimeSource,
    error: HttpError,
    request: RequestFacts,
    body: Uint8Array,
    receivedAt: number,
    deadline: number,
  ) => Promise<void>;
  readonly deadlineOf: (receivedAt: number, context: Context) => number;
  readonly retryAfterSeconds: number;
  readonly logger: Logger;
  /** @default none */
  readonly metrics?: MetricSink;
}

/** The endpoints whose event comes in a query string: pixels and the link-click redirect. */
export interface PixelEndpoints {
  pixel(
    event: APIGatewayProxyEventV2,
    route: Extract<Route, { kind: 'pixel' }>,
    method: string,
    receivedAt: number,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2>;
  redirect(
    event: APIGatewayProxyEventV2,
    receivedAt: number,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2>;
}

/**
 * Pixels and link clicks, through the same ingest as a `POST`. A pixel's errors are thrown for
 * `httpErrorResponse`, which answers every pixel with the GIF all the same.
 */
export function createPixelEndpoints(deps: PixelEndpointDependencies): PixelEndpoints {
  /**
   * A pixel's event, through the same ingest as a POST. A request that spells no event is kept in
   * the failed-events streams when its query names a source. Throws what a POST would answer; the
   * error middleware answers a pixel's errors with the GIF all the same. An event neither Kinesis nor
   * the spill store took (nor, refused, the failed-events stream) is lost: the pixel cannot ask for
   * a retry, so it is counted (`PixelEventsLost`) and logged.
   */
  const ingestPixel = async (
    event: APIGatewayProxyEventV2,
    route: Extract<Route, { kind: 'pixel' }>,
    receivedAt: number,
    context: Context,
  ): Promise<void> => {
    const query = event.queryStringParameters ?? {};
    const deadline = deps.deadlineOf(receivedAt, context);
    const rawQuery = Buffer.from(event.rawQueryString ?? '', 'utf8');
    const facts: RequestFacts = {
      path: event.rawPath,
      contentType: null,
      contentEncoding: null,
      bytes: rawQuery.length,
    };
    const sourceIp = event.requestContext.http.sourceIp || undefined;
    let pixel: PixelMessage;
    try {
      pixel = pixelMessage({
        flavour: route.flavour,
        type: route.type,
        query,
        sourceIp,
        userAgent: event.headers?.['user-agent'],
        now: receivedAt,
      });
    } catch (error) {
      const named = query.writeKey ? await deps.sourceOf(event, query.writeKey) : undefined;
      if (named !== undefined) deps.admit(named);
      if (named !== undefined && error instanceof HttpError) {
        await deps.keepRefused(named, error, facts, rawQuery, receivedAt, deadline);
      }
      throw error;
    }
    const source = await deps.sourceOf(event, pixel.writeKey);
    deps.admit(source);
    const outcome = await deps.ingest.ingest({
      source,
      messages: [pixel.message],
      endpointType: route.type,
      receivedAt,
      sourceIp,
      deadline,
      request: facts,
    });
    if (deps.metrics) recordIngestMetrics(deps.metrics, outcome, 0);
    if (outcome.kind === 'undelivered') {
      throw new UndeliveredError(
        outcome.throttled ? 429 : 503,
        `A pixel's event was not written (${outcome.undelivered.map(describeUndelivered).join('; ')})`,
        deps.retryAfterSeconds,
        {},
      );
    }
  };

  /** Counts and logs a pixel's event that no store took; other refusals were kept or cannot be. */
  const countLostPixel = (error: unknown, path: string): void => {
    if (error instanceof HttpError && !(error instanceof UndeliveredError)) return;
    deps.metrics?.addMetric('PixelEventsLost', 'Count', 1);
    deps.logger.error("A pixel's event is lost: neither Kinesis nor the spill store took it", {
      path,
      error: error instanceof HttpError ? error.message : (error as Error).name,
    });
  };

  /**
   * A link click: the target checked against the source's `redirect.allowedHosts` first (refused:
   * 400, no `Location`), then `Link Clicked` with the target as `properties.url` goes through the
   * same ingest as a pixel, and the browser is sent on with a 302 whatever became of the event (a
   * click is never held back by analytics; an event no store took is counted as lost).
   */
  const redirect = async (
    event: APIGatewayProxyEventV2,
    receivedAt: number,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const { u, ...query } = event.queryStringParameters ?? {};
    const sourceIp = event.requestContext.http.sourceIp || undefined;
    const click = pixelMessage({
      flavour: 'segment',
      type: 'track',
      query,
      sourceIp,
      userAgent: event.headers?.['user-agent'],
      now: receivedAt,
    });
    const source = await deps.sourceOf(event, click.writeKey);
    const target = redirectTarget(u, source.redirect?.allowedHosts);
    const properties = isJsonObject(click.message.properties) ? click.message.properties : {};
    try {
      // Over the rate limit the click is not recorded (counted as rate limited) and still followed.
      deps.admit(source);
      const outcome = await deps.ingest.ingest({
        source,
        messages: [
          { ...click.message, event: 'Link Clicked', properties: { ...properties, url: target.href } },
        ],
        endpointType: 'track',
        receivedAt,
        sourceIp,
        deadline: deps.deadlineOf(receivedAt, context),
        request: { path: event.rawPath, contentType: null, contentEncoding: null, bytes: 0 },
      });
      if (deps.metrics) recordIngestMetrics(deps.metrics, outcome, 0);
      if (outcome.kind === 'undelivered') countLostPixel(new Error('undelivered'), event.rawPath);
    } catch (error) {
      countLostPixel(error, event.rawPath);
    }
    return {
      statusCode: 302,
      headers: { Location: target.href, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
      body: '',
    };
  };

  return {
    async pixel(event, route, method, receivedAt, context) {
      // Link checkers and mail scanners ask with HEAD: they get the image, and nothing is recorded.
      if (method === 'HEAD') return pixelResponse();
      try {
        await ingestPixel(event, route, receivedAt, context);
      } catch (error) {
        countLostPixel(error, event.rawPath);
        throw error;
      }
      return pixelResponse();
    },
    redirect,
  };
}
