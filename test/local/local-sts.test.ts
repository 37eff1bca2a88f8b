import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type LocalSts, localCollectorRoleArn, startLocalSts } from '../../local/local-sts';
import { LOCAL_ACCOUNT_ID } from '../../local/trust-policy';
import { writerRoleTrusting } from '../support/assume-role-collector';

const CALLER = { accessKeyId: 'AKIATESTCALLER000000', secretAccessKey: 'test-secret' };
const OUTSIDER = { accessKeyId: 'AKIAOUTSIDER00000000', secretAccessKey: 'test-secret' };

function stsClient(endpoint: string, credentials = CALLER): STSClient {
  return new STSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** The error an AssumeRole call fails with, or `undefined` when it succeeds. */
async function refusal(
  client: STSClient,
  input: { RoleArn: string; ExternalId?: string; RoleSessionName?: string },
) {
  try {
    await client.send(new AssumeRoleCommand({ RoleSessionName: 'kinesis-event-forwarder-test', ...input }));
    return undefined;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
}

describe('the local STS', () => {
  let sts: LocalSts | undefined;
  afterEach(async () => {
    await sts?.stop();
    sts = undefined;
  });

  it('issues temporary credentials in the STS answer shape for a trusted external ID', async () => {
    // Prepare
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const client = stsClient(sts.endpoint);

    // Act
    const output = await client.send(
      new AssumeRoleCommand({
        RoleArn: role.roleArn,
        RoleSessionName: 'kinesis-event-forwarder-dev',
        ExternalId: 'ext-trusted-1234',
        DurationSeconds: 3600,
      }),
    );

    // Assess
    expect(output.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(output.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(output.Credentials?.SessionToken).toBeTruthy();
    const lifetime = (output.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    expect(output.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${role.roleArn.split('/').pop()}/kinesis-event-forwarder-dev`,
    );
    expect(sts.calls()).toEqual([
      expect.objectContaining({
        externalId: 'ext-trusted-1234',
        allowed: true,
        callerAccessKeyId: CALLER.accessKeyId,
      }),
    ]);
    client.destroy();
    // The first synth in a worker loads aws-cdk-lib: allow for it.
  }, 60_000);

  it('answers a wrong external ID with the AccessDenied error document STS sends', async () => {
    // Prepare
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const body = new URLSearchParams({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: role.roleArn,
      RoleSessionName: 'raw',
      ExternalId: 'ext-wrong-5678',
    });

    // Act
    const response = await fetch(sts.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${CALLER.accessKeyId}/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00`,
      },
      body,
    });
    const xml = await response.text();

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/xml');
    expect(xml).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>AccessDenied<\/Code>\s*<Message>User: arn:aws:sts::\d{12}:assumed-role\/[^<]+ is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d{12}:role\/[^<]+<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>\s*$/,
    );
  });

  it('makes the SDK throw AccessDenied for a wrong or a missing external ID', async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const client = stsClient(sts.endpoint);

    const wrong = await refusal(client, { RoleArn: role.roleArn, ExternalId: 'ext-wrong-5678' });
    const missing = await refusal(client, { RoleArn: role.roleArn });

    expect([wrong?.name, wrong?.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect([missing?.name, missing?.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(sts.calls().map((call) => call.allowed)).toEqual([false, false]);
    client.destroy();
  });

  it('decides with the trust policy the CDK app synthesizes, so changing the trusted IDs changes the answer', async () => {
    // Prepare: the same request against the role synthesized with two different externalIds contexts.
    const both = writerRoleTrusting(['ext-first-1111', 'ext-second-2222']);
    const firstOnly = writerRoleTrusting(['ext-first-1111']);
    expect(both.trustPolicy.Statement[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:root` },
      Condition: {
        StringEquals: { 'sts:ExternalId': ['ext-first-1111', 'ext-second-2222'] },
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/kinesis-event-forwarder/*` },
        StringLike: { 'sts:RoleSessionName': 'kinesis-event-forwarder-*' },
      },
    });
    expect(firstOnly.trustPolicy.Statement[0]).toMatchObject({
      Condition: { StringEquals: { 'sts:ExternalId': 'ext-first-1111' } },
    });

    // Act
    const answers: (string | undefined)[] = [];
    for (const role of [both, firstOnly]) {
      sts = await startLocalSts({ role });
      const client = stsClient(sts.endpoint);
      answers.push(
        (await refusal(client, { RoleArn: role.roleArn, ExternalId: 'ext-second-2222' }))?.name ?? 'allowed',
      );
      client.destroy();
      await sts.stop();
      sts = undefined;
    }

    // Assess
    expect(answers).toEqual(['allowed', 'AccessDenied']);
  });

  it('refuses a caller from another account even with a trusted external ID', async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({
      role,
      accountOf: (accessKeyId) => (accessKeyId === OUTSIDER.accessKeyId ? '999999999999' : LOCAL_ACCOUNT_ID),
    });
    const insider = stsClient(sts.endpoint);
    const outsider = stsClient(sts.endpoint, OUTSIDER);

    expect(await refusal(insider, { RoleArn: role.roleArn, ExternalId: 'ext-trusted-1234' })).toBeUndefined();
    expect((await refusal(outsider, { RoleArn: role.roleArn, ExternalId: 'ext-trusted-1234' }))?.name).toBe(
      'AccessDenied',
    );
    insider.destroy();
    outsider.destroy();
  });

  it("refuses another role of the collector's account even with a trusted external ID", async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({
      role,
      principalOf: (accessKeyId) =>
        accessKeyId === OUTSIDER.accessKeyId
          ? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/developer`
          : localCollectorRoleArn(LOCAL_ACCOUNT_ID),
    });
    const collector = stsClient(sts.endpoint);
    const developer = stsClient(sts.endpoint, OUTSIDER);

    expect(
      await refusal(collector, { RoleArn: role.roleArn, ExternalId: 'ext-trusted-1234' }),
    ).toBeUndefined();
    const denied = await refusal(developer, { RoleArn: role.roleArn, ExternalId: 'ext-trusted-1234' });
    expect(denied?.name).toBe('AccessDenied');
    expect(denied?.message).toContain('assumed-role/developer/');
    collector.destroy();
    developer.destroy();
  });

  it('refuses a session name that does not start with kinesis-event-forwarder-', async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const client = stsClient(sts.endpoint);

    const error = await refusal(client, {
      RoleArn: role.roleArn,
      ExternalId: 'ext-trusted-1234',
      RoleSessionName: 'someone-else',
    });

    expect(error?.name).toBe('AccessDenied');
    client.destroy();
  });

  it('refuses any role but the synthesized writer role', async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const client = stsClient(sts.endpoint);

    const error = await refusal(client, {
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/admin`,
      ExternalId: 'ext-trusted-1234',
    });

    expect(error?.name).toBe('AccessDenied');
    client.destroy();
  });

  it('refuses sessions longer than the role allows with a ValidationError', async () => {
    const role = writerRoleTrusting(['ext-trusted-1234']);
    sts = await startLocalSts({ role });
    const client = stsClient(sts.endpoint);

    const error = await client
      .send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: 'long',
          ExternalId: 'ext-trusted-1234',
          DurationSeconds: 7200,
        }),
      )
      .catch((caught: Error) => caught);

    expect((error as Error).name).toBe('ValidationError');
    expect((error as Error).message).toContain('MaxSessionDuration');
    client.destroy();
  });
});
