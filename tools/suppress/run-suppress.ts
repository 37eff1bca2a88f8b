import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { type FieldHashKey, LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import { hashSuppressedId, keyVersionOfHash } from '../../lambda/events/suppression';
import { emulatorDynamoDbClient } from '../../local/seen-table';
import { readHashKeySecret } from '../hash-key/read-hash-key-secret';
import { parseSuppressArgs, SUPPRESS_USAGE, type SuppressTarget, SuppressUsageError } from './suppress-args';

/** The hash key of `target`: the deployment's secret (operator's credentials), or the local dev key. */
function keyOf(target: SuppressTarget, env: NodeJS.ProcessEnv): Promise<FieldHashKey> {
  if (target.keySecretId === undefined) return Promise.resolve(LOCAL_DEV_HASH_KEY);
  return readHashKeySecret(
    { secretId: target.keySecretId, ...(target.region === undefined ? {} : { region: target.region }) },
    env,
  );
}

function clientOf(target: SuppressTarget): DynamoDBClient {
  if (target.endpoint?.startsWith('http://')) {
    return emulatorDynamoDbClient(target.endpoint, target.region ?? 'us-east-1');
  }
  return new DynamoDBClient({
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
  });
}

/**
 * `npm run suppress`: adds, removes or lists a source's suppressed ids. The id is hashed here with the
 * deployment's hash key and only its hash is sent and stored; `list` marks `stale` the entries made
 * with another key version (before a rotation), which match nothing. Returns the exit code: 0 done,
 * 2 bad usage.
 */
export async function runSuppress(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = console.log,
): Promise<number> {
  let args: ReturnType<typeof parseSuppressArgs>;
  try {
    args = parseSuppressArgs(argv, env);
  } catch (error) {
    if (!(error instanceof SuppressUsageError)) throw error;
    out(`suppress: ${error.message}\n${SUPPRESS_USAGE}`);
    return 2;
  }
  const client = clientOf(args.target);
  try {
    const list = new DynamoDbSuppressionList({ client, tableName: args.target.tableName });
    const key = await keyOf(args.target, env);
    if (args.command === 'list') {
      const ids = await list.list(args.sourceId);
      const stale = ids.filter((id) => keyVersionOfHash(id.hash) !== key.version);
      for (const id of ids) {
        out(`${id.kind}\t${id.hash}${keyVersionOfHash(id.hash) === key.version ? '' : '\tstale'}`);
      }
      out(`${ids.length} suppressed id(s) for source "${args.sourceId}" (hashes only: ids are never stored)`);
      if (stale.length > 0) {
        out(
          `${stale.length} of them made with another key than the current one (version ${key.version}) match no event any more: add those ids again (docs/privacy.md, rotating the hash key)`,
        );
      }
      return 0;
    }
    const id = { kind: args.kind, hash: hashSuppressedId(key, args.id) };
    if (args.command === 'add') await list.add(args.sourceId, id);
    else await list.remove(args.sourceId, id);
    out(
      `${args.command === 'add' ? 'Suppressed' : 'No longer suppressed'}: ${id.kind} ${id.hash} for source "${args.sourceId}" (in effect within 60 s)`,
    );
    return 0;
  } finally {
    client.destroy();
  }
}
