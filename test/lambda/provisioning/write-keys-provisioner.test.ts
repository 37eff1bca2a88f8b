import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { sendCloudFormationResponse } from '../../../lambda/provisioning/cloudformation-response';
import { SecretsManagerSecretStore } from '../../../lambda/provisioning/secrets-manager-secret-store';
import { createWriteKeysProvisioner } from '../../../lambda/provisioning/write-keys-provisioner';
import { startTestResponseUrl, type TestResponseUrl } from '../../support/cloudformation-response-url';
import { startTestSecretsManager, type TestSecretsManager } from '../../support/secrets-manager-server';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:WriteKeys-AbCdEf';

function requestOf(
  requestType: 'Create' | 'Update' | 'Delete',
  responseUrl: string,
  sourceIds: unknown = ['default'],
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provisioner',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Collector/abc',
    RequestId: `request-${requestType}`,
    LogicalResourceId: 'WriteKeysProvisioned',
    ResourceType: 'Custom::WriteKeys',
    ResourceProperties: { ServiceToken: 'token', SecretId: SECRET_ARN, SourceIds: sourceIds },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const physical = { PhysicalResourceId: `WriteKeysProvisioned:${SECRET_ARN}` };
  if (requestType === 'Update') {
    return {
      ...common,
      ...physical,
      RequestType: 'Update',
      OldResourceProperties: { ServiceToken: 'token' },
    };
  }
  return { ...common, ...physical, RequestType: 'Delete' };
}

describe('the write-keys provisioner against Secrets Manager over HTTP', () => {
  let secrets: TestSecretsManager;
  let cloudFormation: TestResponseUrl;
  let client: SecretsManagerClient;
  const budget = { getRemainingTimeInMillis: () => 30_000 };
  let keyNumber = 0;
  const provisioner = () =>
    createWriteKeysProvisioner({
      store: new SecretsManagerSecretStore(client),
      generateKey: () => `generated-${++keyNumber}`,
      respond: sendCloudFormationResponse,
      log: () => {},
    });

  beforeAll(async () => {
    [secrets, cloudFormation] = await Promise.all([startTestSecretsManager(), startTestResponseUrl()]);
    client = new SecretsManagerClient({
      endpoint: secrets.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await Promise.all([secrets.stop(), cloudFormation.stop()]);
  });
  beforeEach(() => {
    cloudFormation.responses.length = 0;
    secrets.writes.clear();
  });

  it('adds keys for new sources on Update, keeps rotated keys, and answers SUCCESS with the same physical id', async () => {
    // Prepare
    secrets.put(SECRET_ARN, JSON.stringify({ default: ['wk_rotated_in', 'wk_old'] }));
    const request = requestOf('Update', cloudFormation.url, ['default', 'web-shop']);

    // Act
    await provisioner()(request, budget);

    // Assess
    expect(JSON.parse(secrets.valueOf(SECRET_ARN) ?? '')).toEqual({
      default: ['wk_rotated_in', 'wk_old'],
      'web-shop': expect.stringMatching(/^generated-\d+$/),
    });
    expect(cloudFormation.responses).toEqual([
      {
        contentType: '',
        body: {
          Status: 'SUCCESS',
          PhysicalResourceId: `WriteKeysProvisioned:${SECRET_ARN}`,
          StackId: request.StackId,
          RequestId: request.RequestId,
          LogicalResourceId: 'WriteKeysProvisioned',
          Data: { AddedSourceIds: 'web-shop' },
        },
      },
    ]);
  });

  it('writes nothing when every source has an entry', async () => {
    // Prepare
    const value = JSON.stringify({ default: 'wk_generated_by_cloudformation' });
    secrets.put(SECRET_ARN, value);

    // Act
    await provisioner()(requestOf('Create', cloudFormation.url), budget);

    // Assess
    expect(secrets.writes.get(SECRET_ARN)).toBeUndefined();
    expect(secrets.valueOf(SECRET_ARN)).toBe(value);
    expect(cloudFormation.responses[0]?.body.Status).toBe('SUCCESS');
  });

  it('leaves the secret alone on Delete', async () => {
    // Prepare
    const value = JSON.stringify({ default: 'wk_kept' });
    secrets.put(SECRET_ARN, value);

    // Act
    await provisioner()(requestOf('Delete', cloudFormation.url), budget);

    // Assess
    expect(secrets.valueOf(SECRET_ARN)).toBe(value);
    expect(cloudFormation.responses[0]?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `WriteKeysProvisioned:${SECRET_ARN}`,
    });
  });

  it('answers FAILED with the reason, and changes nothing, when the secret is not a JSON object', async () => {
    // Prepare
    secrets.put(SECRET_ARN, 'wk_plain_text');

    // Act
    await provisioner()(requestOf('Update', cloudFormation.url, ['default', 'web-shop']), budget);

    // Assess
    expect(secrets.valueOf(SECRET_ARN)).toBe('wk_plain_text');
    expect(cloudFormation.responses[0]?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('UnreadableWriteKeysError: the write-keys secret is not JSON'),
    });
  });

  it("answers FAILED naming Secrets Manager's error when the secret does not exist", async () => {
    // Act
    await provisioner()(
      {
        ...requestOf('Create', cloudFormation.url),
        ResourceProperties: { ServiceToken: 't', SecretId: `${SECRET_ARN}-gone`, SourceIds: ['default'] },
      },
      budget,
    );

    // Assess
    expect(cloudFormation.responses[0]?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('ResourceNotFoundException'),
    });
  });

  it('answers FAILED when SourceIds is not a list of ids', async () => {
    // Act
    await provisioner()(requestOf('Update', cloudFormation.url, 'default'), budget);

    // Assess
    expect(cloudFormation.responses[0]?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('SourceIds must be a list of source ids'),
    });
  });

  it('answers FAILED before the invocation runs out of time when the secret does not answer', async () => {
    // Prepare: a store that never answers, and 5.05 s left (5 s are kept to answer).
    const hanging = createWriteKeysProvisioner({
      store: { read: () => new Promise<string>(() => {}), write: async () => {} },
      generateKey: () => 'unused',
      respond: sendCloudFormationResponse,
      log: () => {},
    });

    // Act
    await hanging(requestOf('Create', cloudFormation.url), { getRemainingTimeInMillis: () => 5_050 });

    // Assess
    expect(cloudFormation.responses[0]?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('did not answer in time'),
    });
  });
});
