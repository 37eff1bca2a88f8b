/**
 * Child-process entry of the local Kinesis emulator (kinesalite, in memory). It runs apart from
 * the collector so the two do not share one event loop. Reports its port over IPC and exits when
 * the parent goes away, so no emulator outlives `npm start`.
 */
import { createKinesalite } from './kinesalite';
import { serveEmulator } from './serve-emulator';

serveEmulator(createKinesalite(), {
  port: process.env.KINESIS_EMULATOR_PORT,
  host: process.env.KINESIS_EMULATOR_HOST,
});
