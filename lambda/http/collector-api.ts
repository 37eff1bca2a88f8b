import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RuntimeConfig, RuntimeSource } from '../config/runtime-config';
import type { RecordWriter } from '../delivery/record-writer';
import type { SuppressionCheck } from '../delivery/suppression-check';
import type { RequestFacts } from '../events/failure-record';
import type { FieldHashKey } from '../events/field-rules';
import { isJsonObject, type JsonObject } from '../events/segment-event';
import { parseIsoTimestamp } from '../events/timestamps';
import { Ingest, type IngestRequest } from '../ingest/ingest';
import { recordFailedEvents, recordIngestMetrics } from '../observability/ingest-metrics';
import type { MetricSink } from '../observability/metric-sink';
import {
  ANALYTICS_SETTINGS_CACHE_CONTROL,
  analyticsSettings,
  collectorEndpointOf,
} from './analytics-settings';
import { clientIpOf } from './client-ip';
import { CorsPolicy, originOf } from './cors';
import {
  ForbiddenOriginError,
  HttpError,
  MalformedRequestError,
  RouteNotFoundError,
  UnauthorizedError,
  UnknownWriteKeySettingsError,
} from './http-error';
import { identityCookieFor } from './identity-cookie';
import { jsonResponse } from './json-response';
import { outcomeResponse, UndeliveredError } from './outcome-response';
import { createPixelEndpoints } from './pixel-endpoints';
import { RateLimitGate } from './rate-limit-gate';
import { RateLimiter } from './rate-limiter';
import { parseJsonBody } from './request-body';
import { methodsOf, resolveRoute } from './routes';
import { cameThroughDistribution, siteEndpointOf, siteHostOf } from './same-origin-request';
import { rudderStackSourceConfig } from './source-config';
import { authorizationProblem, bodyMayHoldWriteKey, writeKeyFromAuthorization } from './write-key';
import { ConfiguredWriteKeys, type WriteKeyDirectory } from './write-key-directory';

export interface CollectorDependencies {
  readonly config: RuntimeConfig;
  /** The writer of each destination id, built once per container. */
  readonly writers: ReadonlyMap<string, RecordWriter>;
  /** The writer of each destination's failed-events stream, by destination id. @default none */
  readonly failedWriters?: ReadonlyMap<string, RecordWriter>;
  readonly logger: Logger;
  /** Where write keys are looked up. @default the keys in `config.sources[].writeKeys` */
  readonly writeKeys?: WriteKeyDirectory;
  readonly now?: () => number;
  /** Which browser origins may send each source's events. @default built from `config` */
  readonly cors?: CorsPolicy;
  /** Where request metrics go (`EventsAccepted`, `EventsRejected` by reason, ...). @default none */
  readonly metrics?: MetricSink;
  /** Each source's token bucket (`rateLimit`), one per container. @default built from `config` and `now` */
  readonly rateLimiter?: RateLimiter;
  /**
   * The same-origin path's secret origin header value (env `SAME_ORIGIN_SECRET`): with it, the client's
   * address of a request that carries it is CloudFront's `CloudFront-Viewer-Address`.
   * @default - none: the client's address is always the one API Gateway saw
   */
  readonly originSecret?: string;
  /** The suppression lookup of sources that set `suppression`. @default none: their requests answer 503 */
  readonly suppression?: SuppressionCheck;
  /** The deployment's key for keyed `redact.hash` rules. @default none (see IngestDependencies.hashKey) */
  readonly hashKey?: FieldHashKey;
}

/** An HTTP API (payload 2.0) request handler, before middlewares. */
export type CollectorApi = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const validTimestamp = (value: unknown): string | undefined =>
  typeof value === 'string' && parseIsoTimestamp(value) !== undefined ? value : undefined;

/** Failure codes of requests refused as a whole, by status. */
const REQUEST_FAILURE_CODES: Readonly<Record<number, string>> = {
  400: 'unparseable',
  413: 'request_too_large',
  415: 'unsupported_encoding',
};

/** The body's bytes as received (base64 undone, compression kept). */
function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function bodyBytes(event: APIGatewayProxyEventV2): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body, 'utf8');
}

function batchOf(body: JsonObject): unknown[] {
  const batch = body.batch;
  if (!Array.isArray(batch)) throw new MalformedRequestError('"batch" must be an array of events');
  if (batch.length === 0) throw new MalformedRequestError('"batch" is empty; send at least one event');
  return batch;
}

/**
 * The collector's HTTP side: route, write key, body, then one call into the ingest use case, whose
 * outcome becomes the answer. Errors are thrown as `HttpError`s for the error middleware to answer.
 */
export function createCollectorApi(deps: CollectorDependencies): CollectorApi {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const writeKeys = deps.writeKeys ?? new ConfiguredWriteKeys(config.sources);
  const cors = deps.cors ?? new CorsPolicy(config);
  const rateLimits = new RateLimitGate({
    limiter: deps.rateLimiter ?? new RateLimiter(config.sources, now),
    logger,
    now,
    metrics: deps.metrics,
  });
  const ingest = new Ingest({
    writers: deps.writers,
    failedWriters: deps.failedWriters,
    maxEventBytes: config.limits.maxEventBytes,
    ...(deps.suppression === undefined ? {} : { suppression: deps.suppression }),
    ...(deps.hashKey === undefined ? {} : { hashKey: deps.hashKey }),
    destinationRedact: new Map(
      config.destinations.flatMap((destination) =>
        destination.redact === undefined ? [] : [[destination.id, destination.redact] as const],
      ),
    ),
    destinationConsent: new Map(
      config.destinations.flatMap((destination) =>
        destination.consent === undefined ? [] : [[destination.id, destination.consent] as const],
      ),
    ),
  });

  const sourceOf = async (
    event: APIGatewayProxyEventV2,
    writeKey: string | undefined,
  ): Promise<RuntimeSource> => {
    if (writeKey === undefined || writeKey === '') {
      throw new UnauthorizedError(
        authorizationProblem(event.headers?.authorization) ??
          'Missing write key: send it as Authorization: Basic base64("<writeKey>:"), as "writeKey" in the body, or as ?writeKey=',
      );
    }
    const source = await writeKeys.sourceOf(writeKey);
    if (source === undefined)
      throw new UnauthorizedError('Unknown write key: check the write key configured in your SDK');
    return allowedFrom(event, source);
  };
  /**
   * Refuses a request of a source over its rate limit, whole and before its body is parsed (or, with
   * the write key in the body, before its events are read): nothing of it is written or kept.
   */
  const admitted = (source: RuntimeSource): RuntimeSource => {
    rateLimits.admit(source.id);
    return source;
  };
  /** A page from an origin the source does not allow gets a 403 it can read. */
  const allowedFrom = (event: APIGatewayProxyEventV2, source: RuntimeSource): RuntimeSource => {
    const origin = originOf(event);
    if (origin !== undefined && !cors.allowlistOf(source).allows(origin)) {
      throw new ForbiddenOriginError(origin, source.id);
    }
    return source;
  };

  /**
   * Keeps the body of a request refused as a whole in the failed-events streams of its source.
   * Not durable: the request's own error gives way to 429/503, so the SDK sends it again.
   */
  const keepRefused = async (
    source: RuntimeSource,
    error: HttpError,
    request: RequestFacts,
    body: Uint8Array,
    receivedAt: number,
    deadline: number,
  ): Promise<void> => {
    const code = REQUEST_FAILURE_CODES[error.statusCode] ?? 'malformed_request';
    const kept = await ingest.keepRefusedRequest({
      source,
      failure: { reason: error.message, code, stage: 'request' },
      body,
      request,
      receivedAt,
      deadline,
    });
    if (kept.kind === 'kept' && deps.metrics) recordFailedEvents(deps.metrics, { [code]: 1 });
    if (kept.kind !== 'undelivered') return;
    logger.warn(
      'A refused request could not be kept in the failed-events stream; answering with a retryable status',
      {
        sourceId: source.id,
        undelivered: kept.undelivered,
      },
    );
    throw new UndeliveredError(
      kept.throttled ? 429 : 503,
      `The request could not be kept in the failed-events stream (${error.message}); send the request again`,
      config.delivery.retryAfterSeconds,
      {},
    );
  };

  /** A request's delivery deadline: the budget, or less when the invocation has less time left. */
  const deadlineOf = (receivedAt: number, context: Context): number =>
    receivedAt +
    Math.min(config.delivery.budgetMs, context.getRemainingTimeInMillis() - config.delivery.reserveMs);

  const { pixel, redirect } = createPixelEndpoints({
    ingest,
    sourceOf,
    admit: admitted,
    keepRefused,
    deadlineOf,
    retryAfterSeconds: config.delivery.retryAfterSeconds,
    logger,
    metrics: deps.metrics,
  });

  return async (event, context) => {
    const receivedAt = now();
    const method = event.requestContext.http.method.toUpperCase();
    const route = resolveRoute(event.rawPath);
    if (route === undefined) throw new RouteNotFoundError(method, event.rawPath);
    const allowed = methodsOf(route);
    if (!allowed.includes(method)) {
      throw new HttpError(405, `${method} is not allowed here; use ${allowed.join(' or ')}`, {
        headers: { Allow: [...allowed, 'OPTIONS'].join(', ') },
      });
    }
    if (route.kind === 'pixel') return pixel(event, route, method, receivedAt, context);
    if (route.kind === 'redirect') return redirect(event, receivedAt, context);
    if (route.kind === 'telemetry') return jsonResponse(200, {});
    const headers = event.headers ?? {};
    if (route.kind === 'analytics-settings') {
      const source = await writeKeys.sourceOf(route.writeKey);
      if (source === undefined) throw new UnknownWriteKeySettingsError();
      allowedFrom(event, source);
      const siteEndpoint = cameThroughDistribution(headers, deps.originSecret)
        ? siteEndpointOf(headers)
        : undefined;
      const settings = analyticsSettings(
        route.writeKey,
        collectorEndpointOf(event, route.basePath, siteEndpoint),
        { credentials: source.identityCookie !== undefined },
      );
      return jsonResponse(200, settings, { 'Cache-Control': ANALYTICS_SETTINGS_CACHE_CONTROL });
    }

    const headerKey =
      writeKeyFromAuthorization(headers.authorization) ?? event.queryStringParameters?.writeKey;
    if (route.kind === 'source-config') {
      const source = await sourceOf(event, headerKey);
      return jsonResponse(200, rudderStackSourceConfig(source, headerKey as string), {
        'Cache-Control': 'private, max-age=300',
      });
    }
    // Refused before any other work: a wrong key costs one hash; no key at all, a substring search.
    const authenticated = headerKey === undefined ? undefined : admitted(await sourceOf(event, headerKey));
    const deadline = deadlineOf(receivedAt, context);
    const facts: RequestFacts = {
      path: event.rawPath,
      contentType: headers['content-type'] ?? null,
      contentEncoding: headers['content-encoding'] ?? null,
      bytes: bodyBytes(event),
    };
    /** A request refused as a whole with a valid write key: its body is kept first. */
    const refusing = async (source: RuntimeSource | undefined, error: unknown): Promise<never> => {
      if (source !== undefined && error instanceof HttpError) {
        await keepRefused(source, error, facts, rawBodyOf(event), receivedAt, deadline);
      }
      throw error;
    };
    const rawBody = {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentEncoding: headers['content-encoding'],
      contentType: headers['content-type'],
    };
    if (authenticated === undefined && !bodyMayHoldWriteKey(rawBody)) await sourceOf(event, undefined);
    let body: JsonObject;
    try {
      body = parseJsonBody(rawBody, config.limits.maxRequestBytes);
    } catch (error) {
      return refusing(authenticated, error);
    }
    const source =
      authenticated ??
      admitted(await sourceOf(event, typeof body.writeKey === 'string' ? body.writeKey : undefined));
    let messages: unknown[];
    try {
      messages = route.kind === 'batch' ? batchOf(body) : [body];
    } catch (error) {
      return refusing(source, error);
    }
    // Admitted whole: the batch's other events are owed to the bucket, never cut from the batch.
    rateLimits.charge(source.id, messages.length - 1);

    // Read before ingest, which frees the messages as their records are written.
    const siteHost = cameThroughDistribution(headers, deps.originSecret) ? siteHostOf(headers) : undefined;
    const identityCookie = identityCookieFor({
      source,
      event,
      allowlist: cors.allowlistOf(source),
      messages,
      ...(siteHost === undefined ? {} : { siteHost }),
    });
    const request: IngestRequest = {
      source,
      messages,
      endpointType: route.kind === 'event' ? route.type : undefined,
      sentAt:
        (route.kind === 'batch' ? validTimestamp(body.sentAt) : undefined) ?? validTimestamp(headers.sentat),
      batchContext: route.kind === 'batch' && isJsonObject(body.context) ? body.context : undefined,
      receivedAt,
      sourceIp: clientIpOf({
        headers,
        sourceIp: event.requestContext.http.sourceIp,
        originSecret: deps.originSecret,
      }),
      deadline,
      request: facts,
      // Nothing here reads the parsed messages again: they are freed as their records are written.
      releaseMessages: true,
    };
    const outcome = await ingest.ingest(request);
    if (deps.metrics) recordIngestMetrics(deps.metrics, outcome, Buffer.byteLength(event.body ?? ''));
    if (outcome.kind === 'undelivered') {
      logger.warn('Accepted events not written; answering with a retryable status', {
        sourceId: source.id,
        accepted: outcome.accepted,
        undelivered: outcome.undelivered,
      });
    }
    logger.debug('Request ingested', {
      sourceId: source.id,
      outcome: outcome.kind,
      rejected: outcome.rejected.length,
    });
    const response = outcomeResponse(outcome, config.delivery.retryAfterSeconds);
    return identityCookie === undefined ? response : { ...response, cookies: [identityCookie] };
  };
}
