import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { VerifyProblem } from './verify-step';

/** How the command reads the streams: a client per stream, and how to read `AT_TIMESTAMP` there. */
export interface StreamAccess {
  /** A client reading `streamName` (through the read role, when one was given). */
  clientFor(streamName: string): KinesisClient;
  /** See `StreamSearch.timestampOnClient`: true for an emulator endpoint. */
  readonly timestampOnClient: boolean;
  /** Said in "not checked" lines: how the streams are read (e.g. "with role arn:..."). */
  readonly how: string;
}

/** How far before sending the command reads: enough for a client clock that is a little ahead. */
export const READ_SLACK_MS = 60_000;

/** A read of the stream was refused: the step is not checked, and this says how to check it. */
export const readDenied = (streamName: string, how: string): string =>
  `reading stream "${streamName}" ${how} is denied (kinesis:ListShards, GetShardIterator, GetRecords); to check it, run with a principal allowed those, or --role-arn of a role allowed them in the stream's account`;

/** What a missing stream means. */
export const streamMissing = (streamName: string, output: string): VerifyProblem => ({
  meaning: `there is no stream "${streamName}" where the command reads: the collector writes to a stream that does not exist, or the command reads the wrong account or region`,
  fix: `check the ${output} output (or the flag naming it) and --region; if the stream was deleted, deploy the stream stack again`,
});
