/**
 * An error that is also an HTTP answer (middy's convention): a status, a message that is safe to
 * show the client when `expose` is true, optional headers, and the `cause` kept for the logs.
 *
 * Every subclass names itself (`override readonly name = '...'`): the deployed bundle is minified
 * without `keepNames`, so a class's own name there is a letter (`t`), and logs would say so.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    readonly statusCode: number,
    message: string,
    options: {
      cause?: unknown;
      headers?: Record<string, string>;
      details?: Record<string, unknown>;
      expose?: boolean;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.expose = options.expose ?? true;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }
}

/** 400: the request can never succeed as sent (not JSON, not an object, no valid event). */
export class MalformedRequestError extends HttpError {
  override readonly name = 'MalformedRequestError';
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(400, message, options);
  }
}

/** 401: no write key, or one no source owns. */
export class UnauthorizedError extends HttpError {
  override readonly name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, message, { headers: { 'WWW-Authenticate': 'Basic realm="kinesis-event-forwarder"' } });
  }
}

/**
 * 403: a browser page whose origin the write key's source does not allow. Nothing is written; the
 * SDK drops the request, which is right: it can never succeed from that site.
 */
export class ForbiddenOriginError extends HttpError {
  override readonly name = 'ForbiddenOriginError';
  constructor(origin: string, sourceId: string) {
    super(
      403,
      `Origin ${origin} may not send events for source "${sourceId}": add it to the source's allowedOrigins`,
    );
  }
}

/** 404: not one of the collector's routes. */
export class RouteNotFoundError extends HttpError {
  override readonly name = 'RouteNotFoundError';
  constructor(method: string, path: string) {
    super(
      404,
      `No route for ${method} ${path}; send events to POST /v1/{track,identify,page,screen,group,alias,batch}`,
    );
  }
}

/**
 * 404: analytics.js asked for the settings of a write key no source owns (Segment's CDN answers an
 * unknown key the same way). The SDK logs the message and does not load, so nothing is sent.
 */
export class UnknownWriteKeySettingsError extends HttpError {
  override readonly name = 'UnknownWriteKeySettingsError';
  constructor() {
    super(
      404,
      'No settings for this write key: no source of this collector has it; check the key in analytics.load("<writeKey>") (or AnalyticsBrowser.load({ writeKey })) against the write keys of your sources',
    );
  }
}

/** 413: the body (or, decompressed, its content) is over the request limit. */
export class PayloadTooLargeError extends HttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string, options: { details?: Record<string, unknown> } = {}) {
    super(413, message, options);
  }
}

/** 415: a `Content-Encoding` the collector cannot decode. */
export class UnsupportedEncodingError extends HttpError {
  override readonly name = 'UnsupportedEncodingError';
  constructor(encoding: string) {
    super(415, `Content-Encoding "${encoding}" is not supported; send identity, gzip, deflate or br`);
  }
}

/** The longest `Retry-After` sent: analytics-node honours 1 to 300 s (docs/sdk-usage.md). */
export const MAX_RETRY_AFTER_SECONDS = 300;

/**
 * 429 (or 503, the source's `rateLimit.status`): the source is over its rate limit, and the request
 * is refused whole, nothing of it written. `X-RateLimit-Reset` (Unix epoch seconds) says when the
 * source's bucket holds a token again; `Retry-After` says the same in whole seconds from now, at most
 * {@link MAX_RETRY_AFTER_SECONDS} (a client that comes back earlier is refused again, with a new one).
 */
export class RateLimitedError extends HttpError {
  override readonly name = 'RateLimitedError';
  constructor(
    sourceId: string,
    limit: { readonly eventsPerSecond: number; readonly burst: number; readonly status: 429 | 503 },
    waitMs: number,
    now: number,
  ) {
    const retryAfterSeconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(waitMs / 1000)));
    super(
      limit.status,
      `Source "${sourceId}" is over its rate limit (${limit.eventsPerSecond} events/s, burst ${limit.burst}); send the request again in ${retryAfterSeconds} s`,
      {
        headers: {
          'Retry-After': String(retryAfterSeconds),
          'X-RateLimit-Reset': String(Math.ceil((now + waitMs) / 1000)),
        },
        details: { retryAfterSeconds },
      },
    );
  }
}

/** Seconds a client waits before sending a request again that the suppression lookup could not check. */
const SUPPRESSION_RETRY_AFTER_SECONDS = 5;

/**
 * 503: the source suppresses ids (`suppression`) and the lookup failed (table or hash key
 * unreadable). Fail closed: nothing of the request is written, the SDKs send it again.
 */
export class SuppressionUnavailableError extends HttpError {
  override readonly name = 'SuppressionUnavailableError';
  constructor(sourceId: string, cause: unknown) {
    super(503, `The suppression list of source "${sourceId}" cannot be read; send the request again`, {
      cause,
      headers: { 'Retry-After': String(SUPPRESSION_RETRY_AFTER_SECONDS) },
      details: { retryAfterSeconds: SUPPRESSION_RETRY_AFTER_SECONDS },
    });
  }
}
