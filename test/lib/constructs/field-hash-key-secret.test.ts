import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { FIELD_HASH_KEY_GENERATION } from '../../../lib/constructs/field-hash-key-secret';
import { writeDocument } from '../../support/config-document';
import { decide } from '../support/decide-request';
import { type IamPolicy, policiesOfRole, resolveIntrinsics } from '../support/resolve-intrinsics';
import { buildTestApp, templateOf } from '../support/test-app';

const REGION = 'eu-west-1';
const ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/kinesis-event-forwarder/collector`;
const KEY_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:field-hash-key-AbC123`;

describe('cdk synth -c collectorConfig=<a document with a keyed hash rule>', () => {
  // Prepare: one synth for the file; a document whose second source hashes *.email with the key.
  const dir = mkdtempSync(join(tmpdir(), 'field-hash-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const template = templateOf(
    buildTestApp({
      externalIds: 'hash-key-external-id',
      collectorConfig: writeDocument(dir, {
        sources: [
          { id: 'web', destinations: ['kinesis'] },
          { id: 'app', destinations: ['kinesis'], pipeline: { redact: { hash: ['*.email'] } } },
        ],
        destinations: [{ id: 'kinesis', streamName: 'events', region: REGION }],
      }),
    }).collectorStack,
  );
  const secrets = template.findResources('AWS::SecretsManager::Secret');
  const keyId = Object.keys(secrets).find((id) => id.startsWith('FieldHashKey')) as string;
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
    id.startsWith('CollectorRole'),
  ) as string;

  it('creates a retained secret whose key CloudFormation generates with settings that never change', () => {
    expect(keyId).toBeDefined();
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        GenerateSecretString: {
          SecretStringTemplate: '{"version":"v1"}',
          GenerateStringKey: 'key',
          ExcludePunctuation: true,
          PasswordLength: FIELD_HASH_KEY_GENERATION.passwordLength,
        },
      },
    });
  });

  it('hands the secret to the function by ARN only, as FIELD_HASH_KEY_SECRET_ARN, and names it in the HashKeySecretArn output', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FIELD_HASH_KEY_SECRET_ARN: { Ref: keyId } }) },
    });
    template.hasOutput('HashKeySecretArn', { Value: { Ref: keyId } });
  });

  it('lets the function read the key and nothing more, and no other secret through that grant', async () => {
    const { identityPolicies } = policiesOfRole(template, roleId);
    const values = {
      partition: 'aws',
      region: REGION,
      accountId: ACCOUNT,
      refs: Object.fromEntries(
        Object.keys(template.toJSON().Resources).map((id) => [
          id,
          id === keyId ? KEY_ARN : `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}`,
        ]),
      ),
      attributes: {},
    };
    const policies = identityPolicies.map(({ name, policy }) => ({
      name,
      policy: resolveIntrinsics(
        {
          ...policy,
          Statement: policy.Statement.filter(
            (statement) => !/Fn::(ImportValue|GetStackOutput|GetAtt)/.test(JSON.stringify(statement)),
          ),
        },
        values,
      ) as IamPolicy,
    }));
    const may = (action: string, resource = KEY_ARN) =>
      decide({ principal: ROLE_ARN, action, resource, identityPolicies: policies });

    expect(await may('secretsmanager:GetSecretValue')).toBe('Allowed');
    expect(await may('secretsmanager:PutSecretValue')).not.toBe('Allowed');
    expect(await may('secretsmanager:DeleteSecret')).not.toBe('Allowed');
    expect(
      await may(
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-XyZ123`,
      ),
    ).not.toBe('Allowed');
  });
});
