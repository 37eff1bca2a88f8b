import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { RuntimeConfig } from './config/runtime-config';
import type { RecordWriter } from './delivery/record-writer';
import { createCollectorApi } from './http/collector-api';
import { httpErrorResponse } from './http/error-response';
import type { WriteKeyDirectory } from './http/write-key-directory';

/** Request headers the real SDKs send (analytics.js, analytics-node, RudderStack): preflights allow them. */
export const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'content-encoding',
  'x-retry-count',
  'anonymousid',
  'sentat',
  'rsa-retry-attempt',
  'rsa-retry-reason',
  'rsa-since-first-attempt',
  'rsa-since-last-attempt',
].join(', ');

export interface HandlerDependencies {
  readonly config: RuntimeConfig;
  readonly writers: ReadonlyMap<string, RecordWriter>;
  readonly logger: Logger;
  /** Where write keys are looked up. @default the keys in `config.sources[].writeKeys` */
  readonly writeKeys?: WriteKeyDirectory;
  readonly now?: () => number;
}

/**
 * The Lambda handler: CORS (preflights answered here, headers on every answer, errors included),
 * one error-to-answer middleware, and one call into the collector.
 */
export function createHandler(deps: HandlerDependencies) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, Context>()
    .use(injectLambdaContext(deps.logger))
    .use(
      httpCors({
        origins: deps.config.cors.allowedOrigins,
        methods: 'POST, OPTIONS',
        headers: ALLOWED_HEADERS,
        exposeHeaders: 'Retry-After',
        maxAge: deps.config.cors.maxAgeSeconds,
        disableBeforePreflightResponse: false,
      }),
    )
    .use(httpErrorResponse({ logger: deps.logger }))
    .handler(createCollectorApi(deps));
}
