import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { type CollectorDependencies, createCollectorApi } from './http/collector-api';
import { CorsPolicy, httpCors } from './http/cors';
import { httpErrorResponse } from './http/error-response';

/**
 * The Lambda handler of API Gateway HTTP API (payload 2.0) events: what `lambda/index.ts` exports,
 * what local mode's API Gateway stand-in calls, and what tests and the benchmark drive.
 */
export type CollectorHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/**
 * What {@link createHandler} needs: the collector API's dependencies (its CORS policy is built here
 * from `config`), with Powertools `Metrics`, which the chain also publishes after each invocation.
 */
export interface HandlerDependencies extends Omit<CollectorDependencies, 'cors' | 'metrics'> {
  /** Where request and delivery metrics go; published after each invocation. @default - none */
  readonly metrics?: Metrics;
}

/**
 * The Lambda handler: CORS (preflights answered here, headers on every answer, errors included),
 * one error-to-answer middleware, and one call into the collector.
 */
export function createHandler(deps: HandlerDependencies): CollectorHandler {
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
