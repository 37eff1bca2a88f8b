import { WriteKeysSecret } from '../../../lib/constructs/write-keys-secret';
import { onlyResource, templateWith } from '../support/template-assertions';

const secretOf = (sourceId: string) =>
  onlyResource(
    templateWith((stack) => new WriteKeysSecret(stack, 'WriteKeys', { sourceId })),
    'AWS::SecretsManager::Secret',
  ).Properties;

describe('WriteKeysSecret on its own', () => {
  it('generates a 40-character key without punctuation for the source, as {"<sourceId>": "<key>"}', () => {
    expect(secretOf('default').GenerateSecretString).toEqual({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'default',
      ExcludePunctuation: true,
      PasswordLength: 40,
    });
  });

  it('generates the key under the source id given', () => {
    expect(secretOf('web-shop').GenerateSecretString.GenerateStringKey).toBe('web-shop');
  });

  it('says in its description how several keys of a source are written', () => {
    expect(secretOf('default').Description).toContain('{"<sourceId>": "<key>" | ["<key>", ...]}');
  });
});
