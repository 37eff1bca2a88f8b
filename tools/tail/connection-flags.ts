import { type ParseArgsConfig, parseArgs } from 'node:util';

/** How tail, live and replay-failed reach a stream. */
export interface StreamConnection {
  readonly streamName: string;
  /** A Kinesis-compatible endpoint (an emulator); dummy credentials unless a profile or role is given. */
  readonly endpoint?: string;
  readonly region?: string;
  /** A profile of `~/.aws/credentials` / `~/.aws/config`. */
  readonly profile?: string;
  /** A role to assume (e.g. the consumer role of another account). */
  readonly roleArn?: string;
  readonly externalId?: string;
}

/**
 * The connection flags of every tool that reads a stream (`npm run tail`, `live`, `replay-failed`),
 * as `node:util` `parseArgs` options: `--endpoint`, `--region`, `--profile`, `--role-arn`, `--external-id`.
 */
export const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'role-arn': { type: 'string' },
  'external-id': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Their lines of a tool's `--help`, the same in each. */
export const CONNECTION_USAGE = `  --endpoint URL         a Kinesis-compatible endpoint, e.g. the local emulator http://127.0.0.1:4567
  --region REGION        AWS region (default: AWS_REGION, else us-east-1 with --endpoint)
  --profile NAME         credentials from this profile of ~/.aws
  --role-arn ARN         assume this role first (with --external-id ID if its trust policy wants one)`;

/** The values of the connection flags, as `parseArgs` reads them. */
export interface ConnectionFlags {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'role-arn'?: string | undefined;
  readonly 'external-id'?: string | undefined;
}

/**
 * A tool's command line read strictly (no positionals, no unknown flags) with `parseArgs`; a
 * command line it cannot read becomes the tool's own error (`fail`), ending in how to see the options.
 */
export function parseFlags<const Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
  fail: (message: string, cause: unknown) => Error,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw fail(`${(error as Error).message}. Run with --help for the options`, error);
  }
}

/**
 * Checks the connection flags and builds the stream connection; `env` supplies the region when
 * `--region` is absent (an emulator `--endpoint` defaults to us-east-1). `fail` makes the caller's
 * own error class, so each command's messages name its flags the same way.
 */
export function streamConnection(
  streamName: string,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  fail: (message: string) => Error,
): StreamConnection {
  if (flags['external-id'] !== undefined && flags['role-arn'] === undefined) {
    throw fail('--external-id is only used with --role-arn: give the role to assume');
  }
  if (flags.endpoint !== undefined && !/^https?:\/\/[^/]/.test(flags.endpoint)) {
    throw fail(`--endpoint ${flags.endpoint} is not an http:// or https:// URL`);
  }
  const region =
    flags.region ??
    (env.AWS_REGION || env.AWS_DEFAULT_REGION || (flags.endpoint === undefined ? undefined : 'us-east-1'));
  return {
    streamName,
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags['role-arn'] === undefined ? {} : { roleArn: flags['role-arn'] }),
    ...(flags['external-id'] === undefined ? {} : { externalId: flags['external-id'] }),
  };
}
