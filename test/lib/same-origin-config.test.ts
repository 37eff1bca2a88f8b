import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';
import { buildTestApp } from './support/test-app';

const lookup =
  (context: Record<string, unknown>) =>
  (key: string): unknown =>
    context[key];

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    readDeployConfig(lookup({ externalIds: 'abc-123', ...context }));
  } catch (error) {
    if (error instanceof InvalidDeployConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the context to be rejected');
}

describe('the sameOriginPrefix context key', () => {
  it('is off unless given: no same-origin path', () => {
    // Act
    const config = readDeployConfig(lookup({ externalIds: 'abc-123' }));

    // Assess
    expect(config.collector?.sameOriginPrefix).toBeUndefined();
  });

  it('reads a prefix of one or more segments', () => {
    // Act
    const prefixes = ['/collect', '/t/e'].map(
      (sameOriginPrefix) =>
        readDeployConfig(lookup({ externalIds: 'abc-123', sameOriginPrefix })).collector?.sameOriginPrefix,
    );

    // Assess
    expect(prefixes).toEqual(['/collect', '/t/e']);
  });

  it.each([
    ['a trailing slash', '/collect/', /sameOriginPrefix: "\/collect\/" is not a path prefix like \/collect/],
    ['no leading slash', 'collect', /sameOriginPrefix: "collect" is not a path prefix/],
    ['a wildcard', '/c*', /sameOriginPrefix: "\/c\*" is not a path prefix/],
    ["the collector's own /v1", '/v1', /sameOriginPrefix: "\/v1" starts with \/v1, the collector's own path/],
  ])('refuses a prefix with %s, naming the key and the fix', (_, sameOriginPrefix, message) => {
    // Act
    const problems = problemsOf({ sameOriginPrefix });

    // Assess
    expect(problems).toEqual([expect.stringMatching(message)]);
  });
});

describe('a collector stack synthesized with -c sameOriginPrefix=/collect', () => {
  let deployment: ReturnType<typeof buildTestApp>;
  let template: Template;
  beforeAll(() => {
    deployment = buildTestApp({ externalIds: 'same-origin-check', sameOriginPrefix: '/collect' });
    if (deployment.collectorStack === undefined) throw new Error('no collector stack');
    template = Template.fromStack(deployment.collectorStack);
  });

  it('gives the function the generated origin secret as SAME_ORIGIN_SECRET, resolved by CloudFormation at deploy', () => {
    // Prepare
    const secret = deployment.collectorStack?.side.sameOriginSecret?.secret;
    const secretId = deployment.collectorStack?.getLogicalId(secret?.node.defaultChild as never);

    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SAME_ORIGIN_SECRET: {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
          },
        }),
      },
    });
  });

  it("outputs what the site's SameOriginPath takes: the secret's ARN, the API host and the path pattern", () => {
    // Act
    const outputs = template.findOutputs('*');

    // Assess
    expect(
      Object.keys(outputs)
        .filter((id) => id.startsWith('SameOrigin'))
        .sort(),
    ).toEqual(['SameOriginApiDomain', 'SameOriginPathPattern', 'SameOriginSecretArn']);
    expect(outputs.SameOriginPathPattern?.Value).toBe('/collect/v1/*');
    expect(outputs.SameOriginApiDomain?.Value).toEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] }] }],
    });
  });

  it('reports no unacknowledged cdk-nag finding', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(deployment.app);

    // Assess
    expect(report.violations).toEqual([]);
  });
});
