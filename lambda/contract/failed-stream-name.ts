/**
 * The failed-events stream's name when nothing names it: `<stream>-failed`. Local mode creates it
 * under this name (unless `FAILED_STREAM_NAME` says otherwise), and `npm run tail -- --failed`,
 * `npm run live` and `npm run redrive -- --stream` look for it there. A deployed stream stack names
 * its streams itself: its `FailedStreamName` output is the name to give.
 */
export const failedStreamNameOf = (streamName: string): string => `${streamName}-failed`;
