import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SameOriginSecret } from '../../../lib/constructs/same-origin-secret';

describe('SameOriginSecret on a bare stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Bare');
  new SameOriginSecret(stack, 'SameOrigin');
  const template = Template.fromStack(stack);

  it('generates 48 letters and digits, nothing a header value would have to escape', () => {
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
  });

  it('is deleted with the stack: it holds nothing a redeploy cannot make again', () => {
    // Assess
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  it('acknowledges the missing rotation schedule with a reason, and nothing else is reported', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
  });
});
