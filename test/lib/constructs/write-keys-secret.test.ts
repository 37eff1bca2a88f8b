import { runSimulation } from '@cloud-copilot/iam-simulate';
import { RemovalPolicy } from 'aws-cdk-lib';
import { WRITE_KEYS_GENERATION, WriteKeysSecret } from '../../../lib/constructs/write-keys-secret';
import { type IamPolicy, policiesOfRole, resolveIntrinsics } from '../support/resolve-intrinsics';
import { logicalIdStartingWith, onlyResource, templateWith } from '../support/template-assertions';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

const templateOf = (sourceIds: readonly string[], removalPolicy?: RemovalPolicy) =>
  templateWith(
    (stack) =>
      new WriteKeysSecret(stack, 'WriteKeys', {
        sourceIds,
        ...(removalPolicy === undefined ? {} : { removalPolicy }),
      }),
  );

describe('WriteKeysSecret on its own', () => {
  const defaults = templateOf(['web-shop', 'backend']);
  const secret = onlyResource(defaults, 'AWS::SecretsManager::Secret');

  describe('by default', () => {
    it('generates one 40-character key without punctuation under the constant entry "default", whatever the sources', () => {
      expect(WRITE_KEYS_GENERATION).toEqual({
        secretStringTemplate: '{}',
        generateStringKey: 'default',
        excludePunctuation: true,
        passwordLength: 40,
      });
      expect(secret.Properties.GenerateSecretString).toEqual({
        SecretStringTemplate: '{}',
        GenerateStringKey: 'default',
        ExcludePunctuation: true,
        PasswordLength: 40,
      });
    });

    it('is retained when the stack is deleted or stops defining it', () => {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.UpdateReplacePolicy).toBe('Retain');
    });

    it('asks the provisioner to add a key for every source id given, in the secret it names', () => {
      const provisioned = onlyResource(defaults, 'Custom::WriteKeys');
      expect(provisioned.Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^WriteKeysProvisioner/), 'Arn'] },
        SecretId: { Ref: secret.logicalId },
        SourceIds: ['web-shop', 'backend'],
      });
    });

    it('runs the provisioner on Node.js 24, arm64, with no environment (the SDK reads the region Lambda gives)', () => {
      const provisioner = onlyResource(defaults, 'AWS::Lambda::Function');
      expect(provisioner.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      expect(provisioner.Properties.Environment).toBeUndefined();
    });

    it('says in its description how several keys of a source are written', () => {
      expect(secret.Properties.Description).toContain('{"<sourceId>": "<key>" | ["<key>", ...]}');
    });
  });

  describe('with overrides', () => {
    it('deletes the secret with the stack when asked to', () => {
      const destroyed = onlyResource(
        templateOf(['default'], RemovalPolicy.DESTROY),
        'AWS::SecretsManager::Secret',
      );
      expect(destroyed.DeletionPolicy).toBe('Delete');
    });
  });

  it.each([
    ['no source id', [], 'give at least one source id'],
    ['an id with a space', ['web shop'], '"web shop" is not a source id'],
    ['an id of 65 characters', ['x'.repeat(65)], 'is not a source id'],
  ])('refuses %s with a message that says what to do', (_, sourceIds, message) => {
    expect(() => templateOf(sourceIds)).toThrow(message);
  });

  describe("the provisioner's role, simulated", () => {
    const roleId = logicalIdStartingWith(defaults, 'AWS::IAM::Role', 'WriteKeysProvisionerRole');
    const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:WriteKeys-AbCdEf`;
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:provisioner-logs:*`;
    const values = {
      partition: 'aws',
      region: REGION,
      accountId: ACCOUNT,
      refs: { [secret.logicalId]: secretArn },
      attributes: {
        [`${logicalIdStartingWith(defaults, 'AWS::Logs::LogGroup', 'WriteKeysProvisionerLogs')}.Arn`]:
          logGroupArn,
      },
    };
    const { identityPolicies, managed } = policiesOfRole(defaults, roleId);
    const resolved = identityPolicies.map(({ name, policy }) => ({
      name,
      policy: resolveIntrinsics(policy, values) as IamPolicy,
    }));

    const decide = async (action: string, resource: string) => {
      const result = await runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/provisioner`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {},
          },
          identityPolicies: resolved,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };

    it('has no managed policy', () => {
      expect(managed).toEqual([]);
    });

    it.each([
      ['secretsmanager:GetSecretValue', secretArn],
      ['secretsmanager:PutSecretValue', secretArn],
      ['logs:PutLogEvents', logGroupArn],
    ])('may call %s on its own resource', async (action, resource) => {
      expect(await decide(action, resource)).toBe('Allowed');
    });

    it.each([
      ['secretsmanager:PutSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other-AbCdEf`],
      ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other-AbCdEf`],
      ['secretsmanager:DeleteSecret', secretArn],
      ['secretsmanager:UpdateSecret', secretArn],
      ['secretsmanager:PutResourcePolicy', secretArn],
    ])('may not call %s on %s', async (action, resource) => {
      expect(await decide(action, resource)).not.toBe('Allowed');
    });
  });
});
