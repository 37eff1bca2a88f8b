import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSuppressionList } from '../../lambda/delivery/dynamodb-suppression-list';
import { FixedHmacKey } from '../../lambda/delivery/hmac-key';
import { hashSuppressedId } from '../../lambda/events/suppression';
import { runSuppress } from '../../tools/suppress/run-suppress';
import { useTestDynalite } from '../support/test-dynalite';

describe('npm run suppress', () => {
  // The suppression table has the dedup table's key schema (a string `id`), so the helper makes it.
  const dynamo = useTestDynalite('suppression');

  async function suppress(...argv: string[]): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await runSuppress([...argv, '--endpoint', dynamo.endpoint], {}, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  }

  it('stores only the keyed hash of a suppressed userId, lists it, and removes it', async () => {
    const hash = hashSuppressedId(await new FixedHmacKey().key(), 'user-42@example.com');
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
    expect((await suppress('remove', '--source', 'web', '--user-id', 'user-42@example.com')).code).toBe(0);
    expect(await list.suppressed('web', [{ kind: 'userId', hash }])).toEqual([false]);
    expect((await suppress('list', '--source', 'web')).output).toContain('0 suppressed id(s)');
  });

  it('exits 2 with the usage when the id, the source or the deployed key is missing', async () => {
    expect((await suppress('add', '--source', 'web')).code).toBe(2);
    expect((await suppress('add', '--user-id', 'u')).code).toBe(2);
    const deployed = await suppress('add', '--source', 'web', '--user-id', 'u', '--table', 't');
    expect(deployed).toMatchObject({ code: 2, output: expect.stringContaining('--key-secret') });
  });
});
