import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { FixedHmacKey, type HmacKeySource, SecretHmacKey } from '../../lambda/delivery/hmac-key';
import { hashSuppressedId } from '../../lambda/events/suppression';
import { emulatorDynamoDbClient } from '../../local/seen-table';
import { parseSuppressArgs, SUPPRESS_USAGE, type SuppressTarget, SuppressUsageError } from './suppress-args';

/** The HMAC key of `target`: the secret (operator's credentials), or the local dev key. */
function keyOf(target: SuppressTarget): HmacKeySource {
  if (target.keySecretId === undefined) return new FixedHmacKey();
  const client = new SecretsManagerClient(target.region === undefined ? {} : { region: target.region });
  return new SecretHmacKey(target.keySecretId, async (secretId) => {
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } finally {
      client.destroy();
    }
  });
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
 * deployment's key and only its hash is sent and stored. Returns the exit code: 0 done, 2 bad usage.
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
    if (args.command === 'list') {
      const ids = await list.list(args.sourceId);
      for (const id of ids) out(`${id.kind}\t${id.hash}`);
      out(`${ids.length} suppressed id(s) for source "${args.sourceId}" (hashes only: ids are never stored)`);
      return 0;
    }
    const id = { kind: args.kind, hash: hashSuppressedId(await keyOf(args.target).key(), args.id) };
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
