/**
 * Child-process entry of the local DynamoDB emulator (dynalite, in memory) that holds the dedup
 * table. It runs apart from the collector so the two do not share one event loop. Reports its port
 * over IPC and exits when the parent goes away, so no emulator outlives `npm start`.
 */
import { createDynalite } from './dynalite';
import { serveEmulator } from './serve-emulator';

serveEmulator(createDynalite(), {
  port: process.env.DYNAMODB_EMULATOR_PORT,
  host: process.env.DYNAMODB_EMULATOR_HOST,
});
