/** The port `npm start` runs its Kinesis emulator on unless `KINESIS_PORT` says otherwise. */
export const DEFAULT_KINESIS_PORT = 4567;

/**
 * Where `npm start` (with the same environment) serves Kinesis: `KINESIS_ENDPOINT` when it uses one
 * already running, else its emulator on `127.0.0.1:KINESIS_PORT` (default 4567). The tools read a
 * local stream there when they are asked for local mode's names (`npm run tail -- --failed`), so a
 * command pasted from the banner works without `--endpoint`.
 */
export function localKinesisEndpoint(env: NodeJS.ProcessEnv): string {
  return env.KINESIS_ENDPOINT || `http://127.0.0.1:${env.KINESIS_PORT || DEFAULT_KINESIS_PORT}`;
}
