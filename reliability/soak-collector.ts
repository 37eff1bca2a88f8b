/**
 * Child-process entry of the soak: the collector's real entry (`createCollector`, as the Lambda and
 * `npm start` run it) behind the local API Gateway stand-in, configured by `SOAK_COLLECTOR_CONFIG`.
 * Reports its URL over IPC and exits with its parent.
 */
import { createCollector } from '../lambda/collector';
import { startApiGatewayServer } from '../local/api-gateway-server';

async function main(): Promise<void> {
  const handler = createCollector({
    env: { ...process.env, COLLECTOR_CONFIG: process.env.SOAK_COLLECTOR_CONFIG },
  });
  const collector = await startApiGatewayServer({ handler, port: 0 });
  process.send?.({ url: collector.url });
}

process.on('disconnect', () => process.exit(0));
main().catch((error: Error) => {
  process.send?.({ error: error.message });
  process.exit(1);
});
