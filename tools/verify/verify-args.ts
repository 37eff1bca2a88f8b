import type { StreamConnection } from '../tail/connection-flags';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseFlags, streamConnection } from '../tail/connection-flags';
import { streamStackNameOf, type VerifyTarget } from './step-outputs';

export const VERIFY_USAGE = `usage: npm run -s verify-deployment -- --stack NAME [options]
  --stack NAME           the collector stack, e.g. KinesisEventForwarder-Collector
  --stream-stack NAME    the stream stack in this account and region (default: <prefix>-Stream for <prefix>-Collector, when it exists)
  --stream NAME          the event stream, when no stream stack here names it (cross-account)
  --failed-stream NAME   its failed-events stream, likewise
  --source ID            the source whose write key sends the test events (default: the secret's first)
${CONNECTION_USAGE}
  --external-id ID       the external ID --role-arn's trust policy wants
  --help                 this text
The streams are read with --role-arn when given (a role allowed to read them), else with the command's own credentials.`;

/** The command line is wrong; the message says how. */
export class VerifyUsageError extends Error {
  override readonly name = 'VerifyUsageError';
}

/** What the command line asks: the target, and how to reach the streams (`streamName` left empty). */
export interface VerifyCommand {
  readonly target: VerifyTarget;
  readonly connection: Omit<StreamConnection, 'streamName'>;
}

/**
 * Reads the command line (strictly); `env` gives the region when `--region` is absent (without
 * either, the SDK takes the profile's).
 */
export function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): VerifyCommand | 'help' {
  const values = parseFlags(
    argv,
    {
      ...CONNECTION_OPTIONS,
      stack: { type: 'string' },
      'stream-stack': { type: 'string' },
      stream: { type: 'string' },
      'failed-stream': { type: 'string' },
      source: { type: 'string' },
      help: { type: 'boolean' },
    },
    (message, cause) => new VerifyUsageError(message, { cause }),
  );
  if (values.help) return 'help';
  const stack = values.stack;
  if (stack === undefined || stack === '')
    throw new VerifyUsageError('give the collector stack: --stack NAME');
  const { streamName: _unused, ...connection } = streamConnection(
    '',
    values,
    env,
    (message) => new VerifyUsageError(message),
  );
  const defaulted = streamStackNameOf(stack);
  const streamStack =
    values['stream-stack'] !== undefined
      ? { name: values['stream-stack'], defaulted: false }
      : defaulted === undefined || values.stream !== undefined
        ? undefined
        : { name: defaulted, defaulted: true };
  return {
    target: {
      stack,
      ...(streamStack === undefined ? {} : { streamStack }),
      ...(values.stream === undefined ? {} : { streamName: values.stream }),
      ...(values['failed-stream'] === undefined ? {} : { failedStreamName: values['failed-stream'] }),
      ...(values.source === undefined ? {} : { sourceId: values.source }),
    },
    connection,
  };
}
