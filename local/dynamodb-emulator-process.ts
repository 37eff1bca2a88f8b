/**
 * Child-process entry of the local DynamoDB emulator (dynalite, in memory) that holds the dedup
 * table. It runs apart from the collector so the two do not share one event loop. Reports its port
 * over IPC and exits when the parent goes away, so no emulator outlives `npm start`.
 */
import { createDynalite } from './dynalite';

const port = Number(process.env.DYNAMODB_EMULATOR_PORT ?? '0');
const host = process.env.DYNAMODB_EMULATOR_HOST ?? '127.0.0.1';
const server = createDynalite();

server.once('error', (error: NodeJS.ErrnoException) => {
  process.send?.({ error: error.code ?? error.message });
  process.exit(1);
});
server.listen(port, host, () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
