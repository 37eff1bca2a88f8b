import { LOCAL_SUPPRESSION_TABLE_NAME } from '../../lambda/contract/suppression-table';
import type { SuppressedIdKind } from '../../lambda/events/suppression';

/** The local mode's DynamoDB emulator port (`DYNAMODB_PORT`), as `npm start` uses it. */
export const DEFAULT_LOCAL_DYNAMODB_PORT = 4568;
/** The suppression table `npm start` creates. */
export const DEFAULT_LOCAL_SUPPRESSION_TABLE = LOCAL_SUPPRESSION_TABLE_NAME;

/** One `npm run suppress` invocation, parsed. */
export type SuppressArgs =
  | {
      readonly command: 'add' | 'remove';
      readonly sourceId: string;
      readonly kind: SuppressedIdKind;
      readonly id: string;
      readonly target: SuppressTarget;
    }
  | { readonly command: 'list'; readonly sourceId: string; readonly target: SuppressTarget };

/** Which table, where, and which key hashes the ids. */
export interface SuppressTarget {
  readonly tableName: string;
  /** A DynamoDB-compatible endpoint (dynalite); absent: AWS with the operator's credentials. */
  readonly endpoint?: string;
  readonly region?: string;
  /** The hash key secret (deployed, the `HashKeySecretArn` output); absent: the local dev key. */
  readonly keySecretId?: string;
}

/** Bad usage: printed with the usage, exit code 2. */
export class SuppressUsageError extends Error {
  override readonly name = 'SuppressUsageError';
}

export const SUPPRESS_USAGE = `usage:
  npm run suppress -- add|remove --source <id> (--user-id <id> | --anonymous-id <id>) [target]
  npm run suppress -- list --source <id> [target]
target (default: npm start's dynalite, table "${DEFAULT_LOCAL_SUPPRESSION_TABLE}", the local dev hash key):
  --table <SuppressionTableName output> --hash-key-secret <HashKeySecretArn output> [--region <region>]
  --endpoint <http://127.0.0.1:${DEFAULT_LOCAL_DYNAMODB_PORT}>`;

const FLAGS = [
  '--source',
  '--user-id',
  '--anonymous-id',
  '--table',
  '--endpoint',
  '--region',
  '--hash-key-secret',
];

/**
 * Parses `npm run suppress` arguments. Without `--table`, the target is local mode's table on its
 * dynalite (`DYNAMODB_PORT`, default {@link DEFAULT_LOCAL_DYNAMODB_PORT}).
 */
export function parseSuppressArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SuppressArgs {
  const [command, ...rest] = argv;
  if (command !== 'add' && command !== 'remove' && command !== 'list') {
    throw new SuppressUsageError(`unknown command "${command ?? ''}": use add, remove or list`);
  }
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i] as string;
    const value = rest[i + 1];
    if (!FLAGS.includes(flag)) throw new SuppressUsageError(`unknown flag "${flag}"`);
    if (value === undefined || value === '') throw new SuppressUsageError(`${flag} needs a value`);
    flags.set(flag, value);
  }
  const sourceId = flags.get('--source');
  if (sourceId === undefined) throw new SuppressUsageError('--source <id> is required');
  const table = flags.get('--table');
  const local = table === undefined;
  const endpoint =
    flags.get('--endpoint') ??
    (local ? `http://127.0.0.1:${env.DYNAMODB_PORT || DEFAULT_LOCAL_DYNAMODB_PORT}` : undefined);
  const region = flags.get('--region') ?? (local ? 'us-east-1' : undefined);
  const keySecretId = flags.get('--hash-key-secret');
  if (!local && keySecretId === undefined) {
    throw new SuppressUsageError(
      '--hash-key-secret <HashKeySecretArn output> is required with --table: ids must be hashed with the deployment’s key',
    );
  }
  const target: SuppressTarget = {
    tableName: table ?? DEFAULT_LOCAL_SUPPRESSION_TABLE,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(keySecretId === undefined ? {} : { keySecretId }),
  };
  if (command === 'list') return { command, sourceId, target };
  const userId = flags.get('--user-id');
  const anonymousId = flags.get('--anonymous-id');
  if ((userId === undefined) === (anonymousId === undefined)) {
    throw new SuppressUsageError('give exactly one of --user-id <id> and --anonymous-id <id>');
  }
  return userId !== undefined
    ? { command, sourceId, kind: 'userId', id: userId, target }
    : { command, sourceId, kind: 'anonymousId', id: anonymousId as string, target };
}
