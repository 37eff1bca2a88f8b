import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { FixedHashKey } from '../../lambda/delivery/hash-key';
import { hashSuppressedId } from '../../lambda/events/suppression';
import { runSuppress } from '../../tools/suppress/run-suppress';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager-server';
import { useTestDynalite } from '../support/test-dynalite';

const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:hash-key-AbCdEf';

describe('npm run suppress', () => {
  // The suppression table has the dedup table's key schema (a string `id`), so the helper makes it.
  const dynamo = useTestDynalite('suppression');
  let secrets: TestSecretsManager;
  beforeAll(async () => {
    secrets = await startTestSecretsManager();
  });
  afterAll(async () => {
    await secrets?.stop();
  });

  async function suppress(...argv: string[]): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await runSuppress(
      [...argv, '--endpoint', dynamo.endpoint],
      { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
      (line) => lines.push(line),
    );
    return { code, output: lines.join('\n') };
  }

  it('stores only the keyed hash of a suppressed userId, lists it, and removes it', async () => {
    const hash = hashSuppressedId(await new FixedHashKey().key(), 'user-42@example.com');
    const list = new DynamoDbSuppressionList({ client: dynamo.client, tableName: 'suppression' });

    expect((await suppress('add', '--source', 'web', '--user-id', 'user-42@example.com')).code).toBe(0);
    const listed = await suppress('list', '--source', 'web');
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: 'suppression' }));
    expect(JSON.stringify(Items)).toContain(hash);
    expect(JSON.stringify(Items)).not.toContain('user-42');
    expect(await list.suppressed('web', [{ kind: 'userId', hash }])).toEqual([true]);
    expect(await list.suppressed('app', [{ kind: 'userId', hash }])).toEqual([false]);

    expect(listed.output).toContain(`userId\t${hash}`);
    expect(listed.output).not.toContain('user-42');
    expect(listed.output).not.toContain('stale');
    expect((await suppress('remove', '--source', 'web', '--user-id', 'user-42@example.com')).code).toBe(0);
    expect(await list.suppressed('web', [{ kind: 'userId', hash }])).toEqual([false]);
    expect((await suppress('list', '--source', 'web')).output).toContain('0 suppressed id(s)');
  });

  it('hashes with the deployed hash key read from --hash-key-secret (its version in the hash), and marks entries of an earlier key version stale', async () => {
    // Prepare: the deployment's key at version v1; an entry of the source made under v1.
    const v1 = { version: 'v1', secret: 'a'.repeat(64) };
    secrets.put(KEY_ARN, JSON.stringify({ version: v1.version, key: v1.secret }));
    const deployed = (...argv: string[]) =>
      suppress(...argv, '--table', 'suppression', '--region', 'eu-west-1', '--hash-key-secret', KEY_ARN);

    // Act
    const added = await deployed('add', '--source', 'app', '--anonymous-id', 'anon-7');
    // Rotation: v2 replaces v1; the v1 entry no longer matches, and list says so.
    secrets.put(KEY_ARN, JSON.stringify({ version: 'v2', key: 'b'.repeat(64) }));
    const listed = await deployed('list', '--source', 'app');

    // Assess
    const hash = hashSuppressedId(v1, 'anon-7');
    expect(added.code).toBe(0);
    expect(hash).toMatch(/^hmac-sha256:v1:[0-9a-f]{64}$/);
    expect(listed.output).toContain(`anonymousId\t${hash}\tstale`);
    expect(listed.output).toContain('1 of them made with another key than the current one (version v2)');
    expect(secrets.reads.get(KEY_ARN)).toBe(2);
  });

  it('fails with the shape the secret must have when --hash-key-secret holds no versioned key', async () => {
    secrets.put(`${KEY_ARN}-plain`, JSON.stringify({ key: 'k'.repeat(64) }));

    await expect(
      suppress(
        'add',
        '--source',
        'app',
        '--user-id',
        'u',
        '--table',
        'suppression',
        '--hash-key-secret',
        `${KEY_ARN}-plain`,
      ),
    ).rejects.toThrow(/the hash key secret must hold \{"version"/);
  });

  it('exits 2 with the usage when the id, the source or the deployed key is missing', async () => {
    expect((await suppress('add', '--source', 'web')).code).toBe(2);
    expect((await suppress('add', '--user-id', 'u')).code).toBe(2);
    const deployed = await suppress('add', '--source', 'web', '--user-id', 'u', '--table', 't');
    expect(deployed).toMatchObject({ code: 2, output: expect.stringContaining('--hash-key-secret') });
  });
});
