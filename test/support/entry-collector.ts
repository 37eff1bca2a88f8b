import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createCollector } from '../../lambda/collector';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';

/**
 * The real entry (createCollector) configured through `env` only, logging nothing, behind the local
 * API Gateway on a free loopback port. Its metrics go to stdout as EMF lines (capture them with
 * `captureOutput`).
 */
export function startEntryCollector(env: NodeJS.ProcessEnv): Promise<ApiGatewayServer> {
  const handler = createCollector({
    env,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'test', serviceName: 'test' }),
  });
  return startApiGatewayServer({ handler, port: 0 });
}
