import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { RuntimeConfig } from './config/runtime-config';
import type { RecordWriter } from './delivery/record-writer';
import { createCollectorApi } from './http/collector-api';
import { CorsPolicy, httpCors } from './http/cors';
import { httpErrorResponse } from './http/error-response';
import type { WriteKeyDirectory } from './http/write-key-directory';

export interface HandlerDependencies {
  readonly config: RuntimeConfig;
  readonly writers: ReadonlyMap<string, RecordWriter>;
  /** The writer of each destination's failed-events stream, by destination id. @default none */
  readonly failedWriters?: ReadonlyMap<string, RecordWriter>;
  readonly logger: Logger;
  /** Where write keys are looked up. @default the keys in `config.sources[].writeKeys` */
  readonly writeKeys?: WriteKeyDirectory;
  readonly now?: () => number;
  /** Where request and delivery metrics go; published after each invocation. @default none */
  readonly metrics?: Metrics;
}

/**
 * The Lambda handler: CORS (preflights answered here, headers on every answer, errors included),
 * one error-to-answer middleware, and one call into the collector.
 */
export function createHandler(deps: HandlerDependencies) {
  const cors = new CorsPolicy(deps.config);
  const chain = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, Context>().use(
    // Never the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it holds the Authorization header
    // (a write key) and the body (event payloads).
    injectLambdaContext(deps.logger, { logEvent: false }),
  );
  if (deps.metrics !== undefined) chain.use(logMetrics(deps.metrics));
  return chain
    .use(httpCors({ policy: cors }))
    .use(httpErrorResponse({ logger: deps.logger }))
    .handler(createCollectorApi({ ...deps, cors }));
}
