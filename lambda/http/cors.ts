import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { RuntimeSource } from '../config/runtime-config';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from '../contract/cors-headers';
import { effectiveOrigins } from '../contract/cors-origins';
import { methodsOf, resolveRoute } from './routes';

/** `Access-Control-Allow-Headers` of every preflight answer. */
const ALLOW_HEADERS = CORS_ALLOWED_HEADERS.join(', ');
/** `Access-Control-Expose-Headers` of every answer. */
const EXPOSE_HEADERS = CORS_EXPOSED_HEADERS.join(', ');

/**
 * A list of allowed browser origins: `*` (any origin), `https://*` / `http://*` (any origin of that
 * scheme, as API Gateway reads them), exact origins (`https://shop.example.com`), or one-label
 * wildcards (`https://*.example.com`, as @middy/http-cors reads them; usable in a source's own
 * `allowedOrigins`, which the collector enforces, not in API Gateway's CORS configuration).
 */
export class OriginAllowlist {
  readonly any: boolean;
  private readonly exact: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];

  constructor(origins: Iterable<string>) {
    const list = [...origins];
    this.any = list.includes('*');
    this.exact = new Set(list.filter((origin) => !origin.includes('*')));
    this.patterns = list
      .filter((origin) => origin !== '*' && origin.includes('*'))
      .map((origin) => {
        if (origin === 'https://*' || origin === 'http://*') return new RegExp(`^${origin.slice(0, -1)}.+$`);
        const escaped = origin.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^./:]+');
        return new RegExp(`^${escaped}$`);
      });
  }

  allows(origin: string): boolean {
    return this.any || this.exact.has(origin) || this.patterns.some((pattern) => pattern.test(origin));
  }

  /** The `Access-Control-Allow-Origin` value for a request from `origin`, if it may read the answer. */
  allowOriginHeader(origin: string | undefined): string | undefined {
    if (this.any) return '*';
    return origin !== undefined && this.allows(origin) ? origin : undefined;
  }
}

/**
 * A source's allowed origins: its own `allowedOrigins` when set, else the collector-wide
 * `cors.allowedOrigins`. Read defensively, so a configuration without the per-source field works.
 */
export function allowedOriginsOf(source: RuntimeSource, fallback: readonly string[]): readonly string[] {
  const own = (source as { readonly allowedOrigins?: unknown }).allowedOrigins;
  return effectiveOrigins(
    Array.isArray(own) && own.every((origin) => typeof origin === 'string') ? own : undefined,
    fallback,
  );
}

export interface CorsSettings {
  readonly sources: readonly RuntimeSource[];
  readonly cors: { readonly allowedOrigins: readonly string[]; readonly maxAgeSeconds: number };
}

/**
 * Who may call the collector from a browser. CORS headers, on preflights and on every answer, name
 * any origin that some source allows (the union, which is also what the deployed HTTP API's own
 * CORS configuration answers with, its throttling answers included). Whether an origin may send a
 * given source's events is enforced by the collector itself (`allowlistOf(source)`): a refused
 * origin gets a 403 the page can read, and nothing is written.
 */
export class CorsPolicy {
  readonly anySource: OriginAllowlist;
  /**
   * Origins of the sources that set the identity cookie: their answers allow credentials, naming
   * the origin (never `*`, which browsers refuse with credentials).
   */
  readonly withCredentials: OriginAllowlist;
  readonly maxAgeSeconds: number;
  private readonly bySource = new Map<string, OriginAllowlist>();

  constructor(settings: CorsSettings) {
    const union = new Set<string>();
    const credentialed = new Set<string>();
    for (const source of settings.sources) {
      const origins = allowedOriginsOf(source, settings.cors.allowedOrigins);
      this.bySource.set(source.id, new OriginAllowlist(origins));
      for (const origin of origins) union.add(origin);
      if (source.identityCookie === undefined) continue;
      for (const origin of origins) if (origin !== '*') credentialed.add(origin);
    }
    this.anySource = new OriginAllowlist(union);
    this.withCredentials = new OriginAllowlist(credentialed);
    this.maxAgeSeconds = settings.cors.maxAgeSeconds;
  }

  /** CORS headers for an answer to `origin`: the allowed origin, and credentials when they apply. */
  corsHeadersFor(origin: string | undefined): { allowOrigin?: string; allowCredentials: boolean } {
    if (origin !== undefined && this.withCredentials.allows(origin)) {
      return { allowOrigin: origin, allowCredentials: true };
    }
    return { allowOrigin: this.anySource.allowOriginHeader(origin), allowCredentials: false };
  }

  /** The origins allowed to send a source's events. */
  allowlistOf(source: RuntimeSource): OriginAllowlist {
    return this.bySource.get(source.id) ?? this.anySource;
  }
}

type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

export const originOf = (event: APIGatewayProxyEventV2): string | undefined =>
  event.headers?.origin ?? event.headers?.Origin;

function withCorsHeaders<R extends APIGatewayProxyResultV2 | null | undefined>(
  response: R,
  cors: { readonly allowOrigin?: string; readonly allowCredentials: boolean },
): R | HttpResult {
  if (response === undefined || response === null || typeof response === 'string') return response;
  const result = response as HttpResult;
  const { allowOrigin } = cors;
  const headers: Record<string, string | number | boolean> = { ...result.headers };
  if (allowOrigin !== undefined) headers['Access-Control-Allow-Origin'] = allowOrigin;
  if (cors.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  headers['Access-Control-Expose-Headers'] = EXPOSE_HEADERS;
  if (allowOrigin !== '*') headers.Vary = 'Origin';
  return { ...result, headers };
}

/** The answer to a preflight (`OPTIONS`): no write key to check, so any source's origins count. */
export function preflightResponse(event: APIGatewayProxyEventV2, policy: CorsPolicy): HttpResult {
  const route = resolveRoute(event.rawPath);
  const methods = [...(route ? methodsOf(route) : ['POST']), 'OPTIONS'].join(', ');
  const { allowOrigin, allowCredentials } = policy.corsHeadersFor(originOf(event));
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Max-Age': String(policy.maxAgeSeconds),
    'Access-Control-Expose-Headers': EXPOSE_HEADERS,
    Allow: methods,
  };
  if (allowOrigin !== undefined) headers['Access-Control-Allow-Origin'] = allowOrigin;
  if (allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (allowOrigin !== '*') headers.Vary = 'Origin';
  return { statusCode: 204, headers, body: '' };
}

/**
 * CORS for every answer, errors included (a browser turns an answer without CORS headers into an
 * opaque network error, and the SDK cannot tell a 503 to retry from a 401). Register it before
 * the error middleware, so its `onError` runs after the error has become an answer.
 */
export function httpCors(options: {
  readonly policy: CorsPolicy;
}): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const { policy } = options;
  const decorate = (request: Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2>) => {
    request.response = withCorsHeaders(request.response, policy.corsHeadersFor(originOf(request.event)));
  };
  return {
    before: async (request) => {
      if (request.event.requestContext.http.method.toUpperCase() === 'OPTIONS') {
        return preflightResponse(request.event, policy);
      }
      return undefined;
    },
    after: async (request) => decorate(request),
    onError: async (request) => decorate(request),
  };
}
